// An answer other than 200: the HTTP status, a stable reason (a metrics label), a message safe to
// return (never a credential), and the request field at fault when there is one.
export class ServiceError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly field?: string;
  constructor(status: number, reason: string, message: string, field?: string) {
    super(message);
    this.name = 'ServiceError';
    this.status = status;
    this.reason = reason;
    this.field = field;
  }
}
