using Microsoft.EntityFrameworkCore.Query.SqlExpressions;
using System.Text;
using ApprovalEngine.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ApprovalEngine.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The one database model: engine tables, the WD projection and the development sandbox.</summary>
public sealed class ApprovalDbContext(DbContextOptions<ApprovalDbContext> options) : DbContext(options)
{
    public DbSet<DefinitionRecord> Definitions => Set<DefinitionRecord>();
    public DbSet<DefinitionVersionRecord> DefinitionVersions => Set<DefinitionVersionRecord>();
    public DbSet<PublishRequestRecord> PublishRequests => Set<PublishRequestRecord>();
    public DbSet<InstanceMigrationRecord> InstanceMigrations => Set<InstanceMigrationRecord>();
    public DbSet<DefinitionJournalRecord> DefinitionJournal => Set<DefinitionJournalRecord>();
    public DbSet<InstanceRecord> Instances => Set<InstanceRecord>();
    public DbSet<TaskRecord> Tasks => Set<TaskRecord>();
    public DbSet<BookmarkRecord> Bookmarks => Set<BookmarkRecord>();
    public DbSet<JournalRecord> Journal => Set<JournalRecord>();
    public DbSet<JobRecord> Jobs => Set<JobRecord>();
    public DbSet<StepCommandRecord> StepCommands => Set<StepCommandRecord>();
    public DbSet<IncidentRow> Incidents => Set<IncidentRow>();
    public DbSet<IdempotencyKeyRecord> IdempotencyKeys => Set<IdempotencyKeyRecord>();
    public DbSet<EventRecord> Events => Set<EventRecord>();
    public DbSet<EventDeliveryRecord> EventDeliveries => Set<EventDeliveryRecord>();
    public DbSet<StartTriggerRecord> StartTriggers => Set<StartTriggerRecord>();
    public DbSet<TriggerStartRecord> TriggerStarts => Set<TriggerStartRecord>();
    public DbSet<TradingAccountRecord> TradingAccounts => Set<TradingAccountRecord>();
    public DbSet<BalanceOperationRecord> BalanceOperations => Set<BalanceOperationRecord>();
    public DbSet<DepositMethodRecord> DepositMethods => Set<DepositMethodRecord>();
    public DbSet<WdRequestRecord> WdRequests => Set<WdRequestRecord>();
    public DbSet<WebhookSubscriptionRecord> WebhookSubscriptions => Set<WebhookSubscriptionRecord>();
    public DbSet<WebhookDeliveryRecord> WebhookDeliveries => Set<WebhookDeliveryRecord>();

    public bool IsSqlite => Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true;

    public static void Configure(DbContextOptionsBuilder builder, DatabaseProvider provider, string connectionString)
    {
        if (provider == DatabaseProvider.Postgres) builder.UseNpgsql(Tuned(connectionString));
        else builder.UseSqlite(connectionString);
        // The model differs per provider (SQLite conversions), so it must be cached per provider, not per type.
        builder.ReplaceService<IModelCacheKeyFactory, ProviderModelCacheKeyFactory>();
    }

    /// <summary>
    /// Npgsql resets a pooled connection (DISCARD ALL) each time it is handed out again; a request that runs a few
    /// queries outside a transaction paid one reset per query (17 per WD task completion, measured). Nothing here
    /// leaves session state behind (advisory locks are per transaction, the migrator's is released), so the reset is
    /// switched off unless the connection string says otherwise.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }
        return builder.ConnectionString;
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        ModelConventions.Apply(configurationBuilder, IsSqlite);

    /// <summary>
    /// The text of the variable <paramref name="name"/> in an instance's state JSON (null when absent); usable in
    /// queries only. PostgreSQL: the function of V018 (reads the JSON, whatever its spacing); SQLite: <c>json_extract</c>.
    /// </summary>
    public static string? StateVariable(string stateJson, string name) =>
        throw new NotSupportedException("StateVariable is translated to SQL; it cannot run in memory.");

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var b = modelBuilder;
        var stateVariable = b.HasDbFunction(typeof(ApprovalDbContext).GetMethod(nameof(StateVariable))!);
        if (IsSqlite)
        {
            // json_extract gives a number as an SQL REAL/INTEGER, which never equals a text (1000.5 <> '1000.5'): the CAST
            // makes it the text PostgreSQL's function returns, so a search for an amount matches on both databases.
            stateVariable.HasTranslation(args => new SqlUnaryExpression(System.Linq.Expressions.ExpressionType.Convert, new SqlFunctionExpression("json_extract",
                [args[0], new SqlBinaryExpression(System.Linq.Expressions.ExpressionType.Add, new SqlConstantExpression("$.variables.\"", args[1].TypeMapping), new SqlBinaryExpression(System.Linq.Expressions.ExpressionType.Add, args[1], new SqlConstantExpression("\"", args[1].TypeMapping), typeof(string), args[1].TypeMapping), typeof(string), args[1].TypeMapping)],
                nullable: true, argumentsPropagateNullability: [true, true], typeof(string), args[1].TypeMapping), typeof(string), args[1].TypeMapping));
        }
        else
        {
            stateVariable.HasName("instance_state_variable").HasSchema(null);
        }
        b.Entity<DefinitionRecord>(e =>
        {
            e.ToTable("definitions");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(100);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Description).HasMaxLength(4000);
            e.Property(x => x.DraftJson).HasMaxLength(int.MaxValue);
        });
        b.Entity<DefinitionVersionRecord>(e =>
        {
            e.ToTable("definition_versions");
            e.HasKey(x => new { x.DefinitionId, x.Version });
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            e.Property(x => x.Json).HasMaxLength(int.MaxValue);
            e.Property(x => x.ContentHash).HasMaxLength(64);
            e.HasIndex(x => new { x.DefinitionId, x.ContentHash });
            e.Property(x => x.SuspendReason).HasMaxLength(1000);
        });
        b.Entity<PublishRequestRecord>(e =>
        {
            e.ToTable("publish_requests");
            e.HasKey(x => x.Id);
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            // Approve and reject both move a request out of Pending: the loser of a race must fail, not overwrite.
            e.Property(x => x.Status).HasMaxLength(20).IsConcurrencyToken();
            e.Property(x => x.Json).HasMaxLength(int.MaxValue);
            e.Property(x => x.ContentHash).HasMaxLength(64);
            e.Property(x => x.Note).HasMaxLength(2000);
            e.Property(x => x.DecisionReason).HasMaxLength(2000);
            e.HasIndex(x => new { x.DefinitionId, x.Status });
            e.HasIndex(x => new { x.Status, x.SubmittedAt });
        });
        b.Entity<InstanceMigrationRecord>(e =>
        {
            e.ToTable("instance_migrations");
            e.HasKey(x => x.Id);
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            // Approve and reject both move a request out of Pending: the loser of a race must fail, not overwrite.
            e.Property(x => x.Status).HasMaxLength(20).IsConcurrencyToken();
            e.Property(x => x.MappingJson).HasMaxLength(int.MaxValue);
            e.Property(x => x.InstanceIdsJson).HasMaxLength(int.MaxValue);
            e.Property(x => x.ResultsJson).HasMaxLength(int.MaxValue);
            e.Property(x => x.Note).HasMaxLength(2000);
            e.Property(x => x.SubmittedBy).HasMaxLength(400);
            e.Property(x => x.DecidedBy).HasMaxLength(400);
            e.Property(x => x.DecisionReason).HasMaxLength(2000);
            e.HasIndex(x => new { x.DefinitionId, x.Status });
        });
        b.Entity<DefinitionJournalRecord>(e =>
        {
            e.ToTable("definition_journal");
            e.HasKey(x => x.Id);
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            e.Property(x => x.Kind).HasMaxLength(40);
            e.Property(x => x.ContentHash).HasMaxLength(64);
            e.Property(x => x.Note).HasMaxLength(2000);
            e.HasIndex(x => new { x.DefinitionId, x.Id });
        });
        b.Entity<InstanceRecord>(e =>
        {
            e.ToTable("instances");
            e.HasKey(x => x.Id);
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.StateJson).HasMaxLength(int.MaxValue);
            e.Property(x => x.Version).IsConcurrencyToken();
            // Start is idempotent by correlation id per definition (top-level instances only).
            e.HasIndex(x => new { x.DefinitionId, x.CorrelationId }).IsUnique().HasFilter("\"correlation_id\" IS NOT NULL AND \"parent_instance_id\" IS NULL");
            e.HasIndex(x => new { x.Status, x.DefinitionId, x.CreatedAt });
            e.HasIndex(x => x.CorrelationId);
            e.HasIndex(x => x.ParentInstanceId);
        });
        b.Entity<TaskRecord>(e =>
        {
            e.ToTable("tasks");
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasMaxLength(20);
            e.HasIndex(x => new { x.Status, x.Department, x.Priority, x.CreatedAt });
            e.HasIndex(x => new { x.Assignee, x.Status });
            e.HasIndex(x => new { x.DefinitionId, x.Status });
            e.HasIndex(x => new { x.BusinessStatus, x.Status });
            e.HasIndex(x => x.InstanceId);
            foreach (var text in new[] { nameof(TaskRecord.SubjectCustomer), nameof(TaskRecord.SubjectAccount), nameof(TaskRecord.SubjectParentDefinitionId) }) e.Property(text).HasMaxLength(200);
            e.Property(x => x.SubjectCurrency).HasMaxLength(200);
            e.HasIndex(x => x.SubjectAmount);
            // Every digit of an 18-decimal coin amount (the default numeric(28,8) would round it); SQLite keeps decimal text.
            if (!IsSqlite)
            {
                var amount = e.Property(x => x.SubjectAmount).HasColumnType("numeric").Metadata;
                amount.SetPrecision(null);
                amount.SetScale(null);
            }
            // The search also compares lower(customer), lower(account) and lower(currency): expression indexes the model
            // cannot declare; V027 (PostgreSQL) and Migrator's SQLite step create them (MigrationTests.ExpressionIndexes).
        });
        b.Entity<BookmarkRecord>(e =>
        {
            e.ToTable("bookmarks");
            e.HasKey(x => x.Id);
            e.Property(x => x.Kind).HasMaxLength(20);
            e.HasIndex(x => new { x.EventName, x.CorrelationKey });
            e.HasIndex(x => x.InstanceId);
            // The timer pollers' queue: due timers in due order, without the other bookmarks.
            e.HasIndex(x => x.DueAt).HasFilter("\"due_at\" IS NOT NULL");
        });
        b.Entity<JournalRecord>(e =>
        {
            e.ToTable("journal");
            e.HasKey(x => x.Id);
            e.Property(x => x.Comment).HasMaxLength(4000);
            e.Property(x => x.Message).HasMaxLength(4000);
            e.Property(x => x.ChangesJson).HasMaxLength(int.MaxValue);
            e.HasIndex(x => new { x.InstanceId, x.Sequence }).IsUnique();
        });
        b.Entity<StepCommandRecord>(e =>
        {
            e.ToTable("step_commands");
            e.HasKey(x => x.Id);
            e.Property(x => x.Kind).HasMaxLength(40);
            e.Property(x => x.CommandJson).HasMaxLength(int.MaxValue);
            e.HasIndex(x => new { x.InstanceId, x.Version }).IsUnique();
        });
        b.Entity<JobRecord>(e =>
        {
            e.ToTable("jobs");
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.InputJson).HasMaxLength(int.MaxValue);
            e.Property(x => x.LastError).HasMaxLength(4000);
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasIndex(x => x.InstanceId);
            // The job pollers' queue: pending runs in due order.
            e.HasIndex(x => x.NextAttemptAt).HasFilter("\"status\" = 'Pending'");
        });
        b.Entity<IncidentRow>(e =>
        {
            e.ToTable("incidents");
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.Message).HasMaxLength(4000);
            e.HasIndex(x => new { x.Status, x.CreatedAt });
            e.HasIndex(x => x.InstanceId);
        });
        b.Entity<IdempotencyKeyRecord>(e =>
        {
            e.ToTable("idempotency_keys");
            e.HasKey(x => x.Key);
            e.Property(x => x.ResultJson).HasMaxLength(int.MaxValue);
        });
        b.Entity<EventRecord>(e =>
        {
            e.ToTable("events");
            e.HasKey(x => x.Id);
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.CorrelationId).HasMaxLength(200);
            e.Property(x => x.PayloadJson).HasMaxLength(int.MaxValue);
            e.Property(x => x.IdempotencyKey).HasMaxLength(200);
            e.Property(x => x.Sender).HasMaxLength(200);
            // Waiting → Delivered and Waiting → Expired race (a delivery, the expiry sweep): the loser must fail, not overwrite.
            e.Property(x => x.Status).HasMaxLength(20).IsConcurrencyToken();
            e.Property(x => x.OutcomeJson).HasMaxLength(int.MaxValue);
            // A retry with the same key finds the original; two concurrent first tries cannot both be stored.
            e.HasIndex(x => new { x.Name, x.Sender, x.IdempotencyKey }).IsUnique().HasFilter("\"idempotency_key\" IS NOT NULL");
            // The waiting events a new bookmark may take, and the ones to expire: only the Waiting rows.
            e.HasIndex(x => new { x.Name, x.CorrelationId }).HasFilter("\"status\" = 'Waiting'");
            e.HasIndex(x => x.ExpiresAt).HasFilter("\"status\" = 'Waiting'");
            e.HasIndex(x => new { x.Status, x.ReceivedAt });
        });
        b.Entity<EventDeliveryRecord>(e =>
        {
            e.ToTable("event_deliveries");
            e.HasKey(x => new { x.EventId, x.InstanceId });
            e.HasIndex(x => x.InstanceId);
        });
        b.Entity<StartTriggerRecord>(e =>
        {
            e.ToTable("start_triggers");
            e.HasKey(x => new { x.DefinitionId, x.TriggerId });
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            e.Property(x => x.TriggerId).HasMaxLength(120);
            e.Property(x => x.Kind).HasMaxLength(10);
            e.Property(x => x.EventName).HasMaxLength(100);
            e.Property(x => x.Cron).HasMaxLength(200);
            e.Property(x => x.TimeZone).HasMaxLength(100);
            e.HasIndex(x => x.EventName).HasFilter("\"event_name\" IS NOT NULL");
            // The cron pollers' queue.
            e.HasIndex(x => x.NextDueAt).HasFilter("\"next_due_at\" IS NOT NULL");
        });
        b.Entity<TriggerStartRecord>(e =>
        {
            e.ToTable("trigger_starts");
            e.HasKey(x => new { x.DefinitionId, x.TriggerKey });
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            e.Property(x => x.TriggerKey).HasMaxLength(200);
        });
        b.Entity<TradingAccountRecord>(e =>
        {
            e.ToTable("sandbox_trading_accounts");
            e.HasKey(x => x.Account);
            e.Property(x => x.Account).HasMaxLength(64);
            e.HasIndex(x => x.CustomerId);
        });
        b.Entity<DepositMethodRecord>(e =>
        {
            e.ToTable("sandbox_deposit_methods");
            e.HasKey(x => x.Account);
            e.Property(x => x.Account).HasMaxLength(64);
            e.Property(x => x.Method).HasMaxLength(40);
        });
        b.Entity<BalanceOperationRecord>(e =>
        {
            e.ToTable("sandbox_balance_operations");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.IdempotencyKey).IsUnique();
            e.HasIndex(x => x.TradeId).IsUnique();
            e.HasIndex(x => x.Account);
        });
        // Sandbox trade ids; SQLite has no sequences (its ledger numbers under the single writer lock instead).
        if (!IsSqlite) b.HasSequence<long>("sandbox_trade_ids").StartsAt(100_001);
        b.Entity<WdRequestRecord>(e =>
        {
            e.ToTable("wd_requests");
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasMaxLength(40);
            e.HasIndex(x => new { x.CustomerId, x.Status });
            e.HasIndex(x => new { x.Status, x.Department });
            e.HasIndex(x => x.CreatedAt);
        });
        b.Entity<WebhookSubscriptionRecord>(e =>
        {
            e.ToTable("webhook_subscriptions");
            e.HasKey(x => x.Id);
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            e.Property(x => x.Events).HasMaxLength(200);
            e.Property(x => x.Url).HasMaxLength(2000);
            e.Property(x => x.SecretSealed).HasMaxLength(1000);
            e.Property(x => x.SecretHint).HasMaxLength(20);
            e.Property(x => x.Description).HasMaxLength(400);
            e.HasIndex(x => x.DefinitionId);
        });
        b.Entity<WebhookDeliveryRecord>(e =>
        {
            e.ToTable("webhook_deliveries");
            e.HasKey(x => x.Id);
            e.Property(x => x.EventType).HasMaxLength(60);
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            e.Property(x => x.Payload).HasMaxLength(int.MaxValue);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.LastError).HasMaxLength(1000);
            e.Property(x => x.ResponseExcerpt).HasMaxLength(500);
            // The dispatcher's queue: pending deliveries in due order (also what the backlog count reads).
            e.HasIndex(x => x.NextAttemptAt).HasFilter("\"status\" = 'Pending'");
            e.HasIndex(x => new { x.SubscriptionId, x.CreatedAt });
            e.HasIndex(x => x.InstanceId);
        });

        ModelConventions.ApplyNames(b);
    }

    internal static string SnakeCase(string name) => ModelConventions.SnakeCase(name);

    internal sealed class ProviderModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => (context.GetType(), context.Database.ProviderName, designTime);
    }
}
