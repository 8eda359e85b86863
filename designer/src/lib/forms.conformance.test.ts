// The designer half of tests/conformance/form-values.json: the dialog's checkField must decide every case as the
// server's ValueChecker does (tests/ApprovalEngine.Workflows.Tests/FormConformanceTests.cs runs the same table), and
// send the value the server is asked about.
import { describe, expect, it } from 'vitest';
import table from '../../../tests/conformance/form-values.json';
import type { FieldSpec } from './forms';
import { checkField } from './forms';

interface Case { name: string; field: FieldSpec; typed: string; sent: unknown; ok: boolean; siblings?: Record<string, unknown> }

describe('form values: the dialog decides as the server', () => {
  for (const c of table.cases as unknown as Case[]) {
    it(c.name, () => {
      const r = checkField(c.field, c.typed, c.siblings ?? {});
      expect(r.ok, r.ok ? 'accepted' : r.error).toBe(c.ok);
      if (r.ok) expect(r.value ?? null).toEqual(c.sent);
    });
  }
});
