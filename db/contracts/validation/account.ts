// Sign-up and log-in input.
import { z } from "zod";
import { plainText, textField } from "./fields";

const email = z.preprocess(
  (v) => (typeof v === "string" ? v.trim().toLowerCase() : v),
  z.email({ error: (i) => (i.input ? "Email must be a valid email address" : "Email is required") }),
);

export const signUpSchema = z.object({
  email,
  name: textField("Name", { max: 60 }),
  password: plainText("Password", { required: "Password is required" })
    .min(8, "Password must be at least 8 characters")
    .max(128, "Password must be at most 128 characters"),
});
export type SignUpInput = z.output<typeof signUpSchema>;

export const logInSchema = z.object({
  email,
  password: plainText("Password", { required: "Password is required" }).min(1, "Password is required"),
});
