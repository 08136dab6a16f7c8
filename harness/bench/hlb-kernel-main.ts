/** The child of the kernel arm (hlb-kernel.ts), run under `unshare --net`: prints its figures as one JSON line. */
import { measureInNamespace } from "./hlb-kernel.ts";

measureInNamespace().then(
  (results) => {
    process.stdout.write(`${JSON.stringify(results)}\n`);
    process.exit(0);
  },
  (e: Error) => {
    process.stderr.write(`kernel arm: ${e.message}\n`);
    process.exit(1);
  },
);
