/** The process entry of `edgesim`: run the command line, exit with its code. */
import { main } from "./main.ts";

process.exitCode = await main(process.argv);
