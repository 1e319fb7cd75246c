import { Migration } from '@mikro-orm/migrations';

/**
 * `lexgate_expect(ok, what)`: true, or an error with SQLSTATE LG001 naming
 * `what`. A statement that writes on a prediction (the batch's approval
 * requests and audit rows in one statement) checks it with this, so a wrong
 * prediction aborts the whole statement and nothing of it is kept.
 */
export class Migration20261122040512_expect extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function lexgate_expect(ok boolean, what text) returns boolean language plpgsql volatile as $$
begin
  if ok is not true then
    raise exception 'lexgate: expectation failed: %', what using errcode = 'LG001';
  end if;
  return true;
end
$$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists lexgate_expect(boolean, text);`);
  }
}
