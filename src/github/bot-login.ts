/**
 * The app's bot login (`<app slug>[bot]`): who kustodian is on GitHub. Its own comments are the
 * only ones it edits, its own pushes are not acted on again, and only Deployments and commits it
 * made are trusted (issue 11). One definition: `$KUSTODIAN_BOT_LOGIN`, else `kustodian[bot]`.
 */
export function defaultBotLogin(): string {
  return process.env.KUSTODIAN_BOT_LOGIN ?? "kustodian[bot]";
}
