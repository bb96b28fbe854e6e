// Files bundled as text by wrangler.toml's [[rules]] (type "Text"): the import is the file's contents.
declare module "*.sh" {
  const text: string;
  export default text;
}
