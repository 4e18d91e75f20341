import { roundDownToStep } from "./round-quantity";

describe("roundDownToStep", () => {
  it.each([
    [0.3, 0.1, 0.3],
    [0.29999, 0.1, 0.2],
    [100 / 14, 0.01, 7.14],
    [1 / 3, 0.001, 0.333],
    [0.123456789, 1e-8, 0.12345678],
    [5.5, 1, 5],
    [5.123, 0, 5.123],
    [0.0000000009, 1e-8, 0],
    [-1, 0.1, 0],
    [0, 0.1, 0],
    [NaN, 0.1, 0],
    [Infinity, 0.1, 0],
    [1e300, 0.001, 1e300],
    [2.5, NaN, 2.5],
    [2.5, -1, 2.5],
  ])("%f to step %f is %f", (quantity, step, expected) => {
    expect(roundDownToStep(quantity, step)).toBe(expected);
  });
});
