/**
 * When `up` and `destroy` ask before changing anything. Production always does: the preview is shown
 * (stateful replacements and deletions called out) and confirmed on a terminal by typing the stack's
 * name, or in CI by `--yes` with `--expect-changes`, the summary of the preview that was reviewed.
 * Staging and development run at once unless `--confirm` asks; `destroy` keeps needing `--yes` (or a
 * terminal's confirmation) everywhere.
 */
import { PolycloudError } from "@polycloud/core";
import type { SpecContext } from "./context";
import type { EngineFlags, EngineOperation } from "./engine";
import { CliFailure } from "./errors";
import type { Io } from "./io";

export interface Gate {
  /** Run a preview first and show its changes (checked against `--expect-changes` when given). */
  readonly review: boolean;
  /** Then ask on the terminal. */
  readonly prompt: boolean;
}

const SAVE_HINT = (specPath: string, operation: string) =>
  `review \`polycloud preview ${specPath}${operation === "destroy" ? " --destroy" : ""} --save-changes changes.json\` and run \`polycloud ${operation} ${specPath} --yes --expect-changes changes.json\` (or run on a terminal to confirm interactively)`;

/**
 * The confirmation an operation needs, decided before anything runs; throws (exit 2, naming the flag
 * and the fix) when it needs one that cannot be given here.
 */
export function confirmationGate(operation: EngineOperation, context: SpecContext, flags: EngineFlags, io: Io): Gate {
  if (operation === "preview") return { review: false, prompt: false };
  const terminal = io.stdin?.isTTY === true;
  const { stack, spec, specPath } = context;
  if (spec.environment === "production") {
    if (flags.yes === true && flags.expectChanges !== undefined) return { review: true, prompt: false };
    if (terminal) return { review: true, prompt: true };
    throw new PolycloudError(
      [
        {
          path: flags.yes === true ? "--expect-changes" : "--yes",
          message: `${spec.name} is a production spec, and ${operation} of stack ${stack} changes only what was reviewed${flags.yes === true ? "; --yes alone does not say what that was" : ""}`,
          fix: SAVE_HINT(specPath, operation),
        },
      ],
      "Confirmation needed",
    );
  }
  if (flags.confirm === true || flags.expectChanges !== undefined) {
    if (flags.yes === true) return { review: true, prompt: false };
    if (terminal) return { review: true, prompt: true };
    const asking = flags.confirm === true ? "--confirm" : "--expect-changes";
    throw new PolycloudError([{ path: "--yes", message: `${asking} asks for a confirmation of ${operation} on stack ${stack}, and there is no terminal to ask on`, fix: "pass --yes (with --expect-changes to apply only a reviewed preview)" }], "Confirmation needed");
  }
  if (operation === "destroy" && flags.yes !== true) {
    if (terminal) return { review: true, prompt: true };
    throw new PolycloudError(
      [{ path: "--yes", message: `destroy deletes every resource of stack ${stack} (${spec.name})`, fix: "pass --yes to confirm" }],
      "Confirmation needed",
    );
  }
  return { review: false, prompt: false };
}

/** Asks on the terminal for the stack's name; anything else stops, with nothing changed. */
export async function confirmInteractively(operation: EngineOperation, context: SpecContext, io: Io): Promise<void> {
  const answer = await io.stdin!.question(`Type the stack name (${context.stack}) to ${operation} ${context.spec.environment} stack ${context.stack} with these changes, anything else to stop: `);
  if (answer?.trim() === context.stack) return;
  throw new CliFailure(`${operation} not confirmed (${answer === undefined ? "no answer" : `answered ${JSON.stringify(answer.trim())}`}); nothing was changed`);
}
