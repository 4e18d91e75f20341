// eslint 9.9 ships no types; the slice test/import-rules.test.ts uses.
declare module "eslint" {
  export class ESLint {
    lintText(
      code: string,
      options: { filePath: string },
    ): Promise<Array<{ messages: Array<{ ruleId: string | null; message: string }> }>>;
  }
}
