// Lint and the import boundaries of docs/architecture.md, enforced:
// - edge/ never imports harness/ or partners/ (the system under study stands alone);
// - protocol codecs (edge/wire/) import no policy, role, load balancer or firewall;
// - the policy engine (edge/policy/) is pure: no sockets, files or timers from node:*;
// - partners/ never import harness/ (the harness builds partners and injects what they need).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const nodeIo = ["node:net", "node:tls", "node:dgram", "node:fs", "node:fs/promises", "node:dns", "node:http", "node:https", "node:child_process", "net", "tls", "dgram", "fs", "dns", "http", "https", "child_process"];

function restrict(patterns, paths = []) {
  return { "no-restricted-imports": ["error", { patterns, paths: paths.map((name) => ({ name, message: "the policy engine does no I/O (docs/architecture.md)" })) }] };
}

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "**/*.d.ts", ".edgesim/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "no-empty": ["error", { allowEmptyCatch: false }],
    },
  },
  {
    files: ["edge/**/*.ts"],
    rules: restrict([
      { group: ["**/harness/**", "../harness/*"], message: "edge/ never imports harness/ (docs/architecture.md)" },
      { group: ["**/partners/**"], message: "edge/ never imports partners/ (docs/architecture.md)" },
    ]),
  },
  {
    files: ["edge/wire/**/*.ts"],
    rules: restrict([
      { group: ["**/harness/**", "**/partners/**"], message: "edge/ never imports harness/ or partners/" },
      { group: ["**/policy/**", "**/roles/**", "**/lb/**", "**/firewall/**"], message: "protocol codecs import no policy, roles or balancer (docs/architecture.md)" },
    ]),
  },
  {
    files: ["edge/policy/**/*.ts"],
    rules: restrict(
      [
        { group: ["**/harness/**", "**/partners/**"], message: "edge/ never imports harness/ or partners/" },
        { group: ["**/roles/**", "**/lb/**", "**/wire/**"], message: "the policy engine is pure: config + request -> verdict" },
      ],
      nodeIo,
    ),
  },
  {
    files: ["partners/**/*.ts"],
    rules: restrict([{ group: ["**/harness/**"], message: "partners/ never import harness/: the harness injects DNS, certificates and events" }]),
  },
);
