/**
 * The audit writer's participant port: work of another module that joins an
 * audit batch (the approval requests an evaluation files). The writer calls
 * it; the participant's module implements it (approvals: `ApprovalFiling`),
 * so the audit module depends on no other module.
 *
 * A participant writes its own rows in one statement and hands back, per
 * input, the audit row that records it: the writer appends each right after
 * the row of the caller that asked for it, in the same commit.
 */
import type { SqlTx } from '../../db/sql-tx';
import type { PreparedAppend, StatementGuard } from './audit.service';

/** What a participant wrote (or will write) for one input: its id, and the audit row recording it (not yet appended). */
export interface ParticipantWrite {
  id: string;
  auditRow: PreparedAppend;
}

/** A participant's write predicted without reading the database; its guard fails the audit statement unless it came true. */
export interface ParticipantPrediction {
  filed: ParticipantWrite[];
  guard: StatementGuard;
}

export interface AuditParticipant<I extends { tenantId: string }, P extends ParticipantPrediction = ParticipantPrediction> {
  /** Check an input without touching the database; a bad one fails here, for its caller alone. @throws ValidationError naming the field */
  check(input: I): void;
  /** Write the inputs with ONE statement inside `tx`'s transaction, as if written one after the other in order. */
  fileMany(tx: SqlTx, inputs: readonly I[]): Promise<ParticipantWrite[]>;
  /** The same write predicted from what this process last wrote (null when it cannot tell), for `AuditService.appendGuarded`. */
  predict(inputs: readonly I[]): P | null;
  /** After a predicted write: whether its statement was written (false: forget what the prediction assumed). */
  settle(prediction: P, written: boolean): void;
}
