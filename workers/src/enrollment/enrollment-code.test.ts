import { describe, expect, it } from "vitest";
import { newEnrollmentCode, normalizeEnrollmentCode } from "./enrollment-code.ts";

describe("enrollment codes", () => {
  it("are five groups of four Crockford base32 characters (100 bits)", () => {
    const code = newEnrollmentCode();
    expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(new Set(Array.from({ length: 50 }, newEnrollmentCode)).size).toBe(50);
  });

  it("read back the same however they were typed", () => {
    const code = newEnrollmentCode();
    const canonical = code.replace(/-/g, "");
    expect(normalizeEnrollmentCode(code)).toBe(canonical);
    expect(normalizeEnrollmentCode(` ${code.toLowerCase().replace(/-/g, " ")} `)).toBe(canonical);
    expect(normalizeEnrollmentCode("ABCD-EFGH-IJKL-MNOP-QRST")).toBe("ABCDEFGH1JK1MN0PQRST");
  });

  it("reject what cannot be a code", () => {
    for (const bad of ["", "ABCD-EFGH", "ABCD-EFGH-JKMN-PQRS-TVWXY", "ABCD-EFGH-JKMN-PQRS-TVW!", "ABCD-EFGH-JKMN-PQRS-TVWU"]) {
      expect(normalizeEnrollmentCode(bad)).toBeNull();
    }
  });
});
