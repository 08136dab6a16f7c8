#!/usr/bin/env node
// The edgesim command for development: registers tsx so the TypeScript sources run
// as they are (always current, ~1 s slower to start). `npm start` runs the esbuild
// bundle from build.mjs instead, which starts in a fraction of that.
import { register } from "tsx/esm/api";

register();
await import("./entry.ts");
