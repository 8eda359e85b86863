using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Fiat.Config;

/// <summary>V012 (and the later scripts, V017, V020; written by hand) create exactly the columns the EF model maps, with the same nullability; and the reservations work on SQLite too.</summary>
[TestFixture]
public sealed class FiatConfigSchemaTests
{
    private static readonly string[] ConfigTables =
    [
        "fiat_bank_accounts", "fiat_channels", "fiat_currencies", "fiat_withdrawal_rules", "fiat_daily_limits", "fiat_daily_limit_changes", "fiat_limit_usage",
        "fiat_limit_reservations", "fiat_interception_rules", "fiat_review_rules", "fiat_settings", "fiat_withdrawal_parameters", "fiat_config_journal", "fiat_alerts",
        "fiat_config_pending_changes", "fiat_alert_items", "fiat_second_approval_thresholds", "fiat_config_version",
    ];

    [Test]
    public async Task The_V012_script_matches_the_model_of_the_configuration_tables()
    {
        await using var factory = await ApiFactory.PostgresAsync();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FiatDbContext>();
        var model = db.Model.GetEntityTypes()
            .Where(e => e.GetTableName() is { } t && ConfigTables.Contains(t))
            .SelectMany(e => e.GetProperties().Select(p => $"{e.GetTableName()}.{p.GetColumnName(StoreObjectIdentifier.Table(e.GetTableName()!, null))} {(p.IsNullable ? "null" : "not null")} {p.GetColumnType()}"))
            .Order(StringComparer.Ordinal).ToList();
        var tables = model.Select(m => m.Split('.')[0]).Distinct().ToList();
        var database = await db.Database.SqlQueryRaw<string>("""
            SELECT table_name || '.' || column_name || ' ' || CASE WHEN is_nullable = 'YES' THEN 'null' ELSE 'not null' END || ' ' ||
                   CASE WHEN data_type = 'character varying' THEN 'character varying(' || character_maximum_length || ')'
                        WHEN data_type = 'numeric' THEN 'numeric(' || numeric_precision || ',' || numeric_scale || ')'
                        ELSE data_type END AS "Value"
            FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY(@tables)
            """, new Npgsql.NpgsqlParameter("tables", tables.ToArray())).ToListAsync();
        Assert.That(tables, Is.EquivalentTo(ConfigTables));
        Assert.That(database.Order(StringComparer.Ordinal), Is.EqualTo(model));
    }

    [Test]
    public async Task Reservations_accumulate_and_refuse_on_SQLite()
    {
        await using var factory = ApiFactory.Sqlite();
        factory.CreateClient().Dispose();
        var store = factory.Services.GetRequiredService<Flows.Fiat.IFiatConfigStore>();
        var first = await store.ReserveCustomerAsync("SQ-1", "C-SQ", "HKD", 60_000.25m, 100_000m, CancellationToken.None);
        var again = await store.ReserveCustomerAsync("SQ-1", "C-SQ", "HKD", 60_000.25m, 100_000m, CancellationToken.None);
        var second = await store.ReserveCustomerAsync("SQ-2", "C-SQ", "HKD", 40_000m, 100_000m, CancellationToken.None);
        var third = await store.ReserveCustomerAsync("SQ-3", "C-SQ", "HKD", 39_999.75m, 100_000m, CancellationToken.None);
        Assert.That((first.Accepted, again.UsedBefore, second.Accepted, third.Accepted, third.UsedAfter), Is.EqualTo((true, 0m, false, true, 100_000m)));
        await store.ReleaseAsync(Flows.Fiat.FiatReservationKinds.Customer, "SQ-1", CancellationToken.None);
        Assert.That((await store.ReserveCustomerAsync("SQ-2", "C-SQ", "HKD", 40_000m, 100_000m, CancellationToken.None)).UsedAfter, Is.EqualTo(79_999.75m));
    }
}
