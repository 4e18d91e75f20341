// What a refused form shows again: the submitted text of a field, cut to a length, so a huge field is never
// repeated whole into the page.
export function echoedText(form: FormData, name: string, maxChars = 200): string {
  const value = form.get(name);
  return typeof value === "string" ? value.slice(0, maxChars) : "";
}
