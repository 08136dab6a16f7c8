/** The process entry of `edgesim`: run the command line, exit with its code. */
import { main } from "./main.ts";
import { quietOnClosedPipe } from "./quiet-pipe.ts";

quietOnClosedPipe(process.stdout);
quietOnClosedPipe(process.stderr);
process.exitCode = await main(process.argv);
