/** The classifier was called with input it cannot judge (a programming error, not a rollout failure). */
export class HealthInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HealthInputError";
  }
}
