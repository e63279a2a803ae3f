// Schemas shared by the operator's and the subject's data-rights routes.
import { Type } from '@sinclair/typebox';

export const ExportFormat = Type.Union([Type.Literal('json'), Type.Literal('zip')], {
  default: 'json',
  description: 'json: one JSON document; zip: a ZIP of CSV files (sessions, events, consent, intent_predictions, audit) with a README, for people',
});
export type ExportFormat = 'json' | 'zip';

export const ExportBody = Type.Object(
  {
    subject: Type.Object({ visitor_ids: Type.Array(Type.String()), customer_id: Type.Optional(Type.String()) }),
    generated_at: Type.String(),
    sessions: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    events: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    consent: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    intent_predictions: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    audit: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  },
  { description: 'Streamed as an attachment; with format=zip an application/zip of CSV files instead' },
);

export const Receipt = Type.Object({
  receipt_id: Type.String({ format: 'uuid' }),
  erased: Type.Object({ events: Type.Integer(), sessions: Type.Integer(), consent_records: Type.Integer(), intent_predictions: Type.Integer() }),
});
