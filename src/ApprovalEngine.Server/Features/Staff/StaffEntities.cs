using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Staff;

// The staff account tables (V026). Lists are stored as JSON text (one shape on PostgreSQL and SQLite); an edit names
// the RowVersion it read, so a stale one is a 409 instead of silently overwriting a colleague's change.

/// <summary>
/// A person's account as managed in the app. When present for a user name it wins over what configuration or the
/// provider's groups grant (except <c>users:manage</c>, which only configuration gives; ADR 21); when disabled, that
/// user name cannot sign in and its tokens stop working.
/// </summary>
public sealed class StaffAccount
{
    public string Username { get; set; } = "";
    public string? DisplayName { get; set; }
    public string? Role { get; set; }
    public string DepartmentsJson { get; set; } = "[]";
    public bool AllDepartments { get; set; }

    /// <summary>Task permissions as the tokens carry them (<c>wd:1</c> … <c>wd:5</c>, <c>workorders:approve</c>, …).</summary>
    public string PermissionsJson { get; set; } = "[]";
    public string RightsJson { get; set; } = "[]";
    public bool Enabled { get; set; }
    public int RowVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";
}

/// <summary>Every change of a staff account: who, when, whose account, before → after.</summary>
public sealed class StaffJournalEntry : IChangeJournalRow
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public string Username { get; set; } = "";
    public string Action { get; set; } = "";
    public string? BeforeJson { get; set; }
    public string? AfterJson { get; set; }
}

internal sealed class StaffAccountMap : IEntityTypeConfiguration<StaffAccount>
{
    public void Configure(EntityTypeBuilder<StaffAccount> e)
    {
        e.ToTable("staff_accounts");
        e.HasKey(x => x.Username);
        e.Property(x => x.Username).HasMaxLength(200);
        e.Property(x => x.DisplayName).HasMaxLength(200);
        e.Property(x => x.Role).HasMaxLength(100);
        e.Property(x => x.DepartmentsJson).HasMaxLength(4000);
        e.Property(x => x.PermissionsJson).HasMaxLength(4000);
        e.Property(x => x.RightsJson).HasMaxLength(4000);
        e.Property(x => x.UpdatedBy).HasMaxLength(200);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
    }
}

internal sealed class StaffJournalEntryMap : IEntityTypeConfiguration<StaffJournalEntry>
{
    public void Configure(EntityTypeBuilder<StaffJournalEntry> e)
    {
        ChangeJournal.MapColumns(e, "staff_journal");
        e.Property(x => x.Username).HasMaxLength(200);
        e.HasIndex(x => x.Username);
    }
}

/// <summary>The staff accounts' own context (same database and SQLite file as the engine), as the fiat and crypto families have theirs.</summary>
public sealed class StaffDbContext(DbContextOptions<StaffDbContext> options) : DbContext(options)
{
    public bool IsSqlite => Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true;

    public static void Configure(DbContextOptionsBuilder builder, DatabaseProvider provider, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (provider == DatabaseProvider.Postgres) builder.UseNpgsql(ApprovalDbContext.Tuned(connectionString));
        else builder.UseSqlite(connectionString);
        ModelConventions.CachePerProvider(builder);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        ModelConventions.Apply(configurationBuilder, IsSqlite);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new StaffAccountMap());
        modelBuilder.ApplyConfiguration(new StaffJournalEntryMap());
        ModelConventions.ApplyNames(modelBuilder);
    }
}

/// <summary>The feature's PostgreSQL scripts (<c>Features/Staff/Migrations/V###__name.sql</c>), applied by the engine's migrator in version order.</summary>
public static class StaffMigrations
{
    public static IReadOnlyList<SqlMigration> Scripts() => SqlMigration.Embedded(typeof(StaffMigrations).Assembly, "Staff");
}
