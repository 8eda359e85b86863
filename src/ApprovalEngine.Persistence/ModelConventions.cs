using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ApprovalEngine.Persistence;

/// <summary>
/// The conventions every database model of the service follows — the engine's <see cref="ApprovalDbContext"/> and
/// each feature's own context (e.g. the fiat family's tables): decimals with 8 places, bounded strings, UTC ticks on
/// SQLite and snake_case names, so that SQL written by hand (migrations, operators) needs no quoting.
/// </summary>
public static class ModelConventions
{
    public static void Apply(ModelConfigurationBuilder configurationBuilder, bool isSqlite)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // SQLite cannot order or compare DateTimeOffset; UTC ticks sort correctly and keep full precision.
        if (isSqlite) configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<decimal>().HavePrecision(28, 8);
        configurationBuilder.Properties<string>().HaveMaxLength(400);
    }

    /// <summary>snake_case columns, <c>ix_table_columns</c> indexes and <c>pk_table</c> keys.</summary>
    public static void ApplyNames(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties()) property.SetColumnName(SnakeCase(property.Name));
            foreach (var index in entity.GetIndexes()) index.SetDatabaseName($"ix_{entity.GetTableName()}_{string.Join("_", index.Properties.Select(p => SnakeCase(p.Name)))}");
            foreach (var key in entity.GetKeys()) key.SetName($"pk_{entity.GetTableName()}");
        }
    }

    /// <summary>The model differs per provider (SQLite conversions), so it must be cached per provider, not per type.</summary>
    public static void CachePerProvider(DbContextOptionsBuilder builder) =>
        builder.ReplaceService<IModelCacheKeyFactory, ApprovalDbContext.ProviderModelCacheKeyFactory>();

    public static string SnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
}
