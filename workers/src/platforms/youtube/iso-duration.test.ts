import { describe, expect, it } from "vitest";
import { isoDurationSeconds } from "./iso-duration.ts";

describe("isoDurationSeconds", () => {
  it("reads the durations videos.list answers", () => {
    expect(isoDurationSeconds("PT4M13S")).toBe(253);
    expect(isoDurationSeconds("PT1H2M")).toBe(3720);
    expect(isoDurationSeconds("PT45S")).toBe(45);
    expect(isoDurationSeconds("P1DT3M")).toBe(86_580);
    expect(isoDurationSeconds("P1W")).toBe(604_800);
    expect(isoDurationSeconds("PT10M0.5S")).toBe(600);
  });

  it("a live stream's P0D is zero seconds", () => {
    expect(isoDurationSeconds("P0D")).toBe(0);
  });

  it("refuses what is not a duration", () => {
    for (const bad of ["", "P", "PT", "4M13S", "PT4X", "P1DT", "PT-3S"]) expect(isoDurationSeconds(bad)).toBeNull();
  });
});
