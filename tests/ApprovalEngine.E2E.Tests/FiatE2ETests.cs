namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The fiat withdrawal screens in chromium at 1280×800 against the real server on PostgreSQL, one scenario per test
/// (designer/e2e/fiat-scenarios.mjs, run as <c>run.mjs --suite fiat --only &lt;key&gt;</c>) so that each fails on its own.
/// The server is shared by the fixture; each scenario creates the records it needs.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FiatE2ETests() : NodeSuiteFixture("fiat", "e2e_fiat")
{
    [Test]
    public Task Supervisor_adjusts_a_daily_limit_and_sees_the_history_row_maker_reads_only() => Scenario("fiat-limits");

    [Test]
    public Task Maker_enters_records_and_sees_cards_checker_bulk_submits_two() => Scenario("fiat-withdrawals");

    [Test]
    public Task Supervisor_adds_a_channel_and_its_withdrawal_rule_and_sees_the_journal_rows() => Scenario("fiat-cfg-channel");

    [Test]
    public Task A_stale_channel_or_settings_edit_says_changed_by_someone_else_and_saves_on_the_reloaded_version() => Scenario("fiat-cfg-stale");

    [Test]
    public Task Maker_reads_every_configuration_screen_without_edit_controls() => Scenario("fiat-cfg-readonly");

    [Test]
    public Task Every_configuration_form_names_its_fields_and_a_refused_bank_account_shows_the_errors_at_its_fields() => Scenario("fiat-cfg-forms");

    [Test]
    public Task Supervisor_creates_disables_enables_and_edits_a_review_rule_and_sees_the_journal() => Scenario("fiat-cfg-review");

    [Test]
    public Task A_weakening_setting_proposed_by_supervisor1_waits_until_supervisor2_approves_it_in_the_pending_changes_tab() => Scenario("fiat-cfg-four-eyes");

    [Test]
    public Task Maker_packs_two_records_checker_approves_the_batch_and_downloads_its_file() => Scenario("fiat-batches");

    [Test]
    public Task An_exception_resolved_by_one_checker_is_approved_only_by_a_second() => Scenario("fiat-exceptions");

    [Test]
    public Task A_statement_with_a_bad_row_is_refused_row_by_row_and_the_good_file_imports() => Scenario("fiat-bills");

    [Test]
    public Task A_cheque_printed_then_reprinted_counts_two_prints() => Scenario("fiat-cheques");

    [Test]
    public Task An_operations_person_acknowledges_an_alert_in_the_alert_inbox_tab_and_it_moves_to_acknowledged() => Scenario("fiat-alert-ack");
}
