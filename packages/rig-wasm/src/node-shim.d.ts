// The one Node.js API the Node loader uses, declared here so the package
// builds without pulling Node's types into browser code.
declare module "node:fs" {
  export function readFileSync(path: URL | string): Uint8Array;
}
