import { passwordWeakness } from "./password-strength";

describe("passwordWeakness", () => {
  it.each([
    ["password", "one of the most common passwords"],
    ["password123", "a commonly used password"],
    ["qwertyuiop", "one of the most common passwords"],
    ["iloveyou1", "a commonly used password"],
    ["12345678", "one of the most common passwords"],
    ["aaaaaaaaaa", "repeated characters"],
  ])("refuses %s and says why (%s)", (password, reason) => {
    expect(passwordWeakness(password)).toContain(reason);
  });

  it("refuses a password made of the user's own email or name", () => {
    expect(passwordWeakness("lovelace1815", ["ada.lovelace@example.test", "Ada Lovelace"])).toContain(
      "your email or name",
    );
    expect(passwordWeakness("lovelace1815")).toBeNull();
  });

  it.each(["a good long password", "correct horse battery staple", "Tr0ub4dor&3x", "zX9#kq2!vLm"])(
    "accepts %s",
    (password) => {
      expect(passwordWeakness(password)).toBeNull();
    },
  );
});
