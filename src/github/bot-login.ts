/**
 * The app's bot login (`<app slug>[bot]`): who kustodian is on GitHub. Its own comments are the
 * only ones it edits, its own pushes are not acted on again, and only Deployments and commits it
 * made are trusted (issue 11). One definition: `$KUSTODIAN_BOT_LOGIN`, else `kustodian[bot]`.
 */
export function defaultBotLogin(): string {
  return process.env.KUSTODIAN_BOT_LOGIN ?? "kustodian[bot]";
}

function bare(login: string): string {
  return login.toLowerCase().replace(/\[bot\]$/, "");
}

/**
 * Whether a GitHub account (a Deployment's or a Deployment status's creator) is the app's bot: a
 * `Bot` whose login is the app's (GraphQL gives a bot's login without the `[bot]` REST adds). A
 * person with repository access can create Deployments and add statuses to the app's; only the
 * creator GitHub records tells them apart, never a payload or a description.
 */
export function isAppAccount(account: { login: string; type: string } | null | undefined, botLogin: string): boolean {
  return account !== null && account !== undefined && account.type === "Bot" && bare(account.login) === bare(botLogin);
}
