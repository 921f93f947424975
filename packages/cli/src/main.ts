/** Entry point of the `polycloud` command: runs the CLI on the process's argv and sets the exit code. */
import { run } from "./cli";
import { processIo } from "./io";

void run(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
