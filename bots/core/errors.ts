/** An error of the bots' pure core, with a stable greppable code (`bots.yaml-invalid`, `promotion.no-maintenance-window`, ...). */
export class BotError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'BotError';
    this.code = code;
  }
}
