/**
 * The head each pull request's plan was last rendered for (bounded, oldest forgotten first), so a
 * `/plan` from someone without write access renders at most once per pushed head: a repeat is
 * answered from the last plan. Comments cannot be used to make the bot work.
 */
export class PlannedHeads {
  readonly #heads = new Map<string, string>();
  readonly #limit: number;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  static key(pr: { owner: string; repo: string; number: number }): string {
    return `${pr.owner}/${pr.repo}#${pr.number}`;
  }

  get(key: string): string | undefined {
    return this.#heads.get(key);
  }

  set(key: string, headSha: string): void {
    this.#heads.delete(key);
    this.#heads.set(key, headSha);
    if (this.#heads.size > this.#limit) this.#heads.delete(this.#heads.keys().next().value!);
  }
}
