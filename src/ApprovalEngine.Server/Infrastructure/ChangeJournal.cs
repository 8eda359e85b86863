using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Infrastructure;

/// <summary>
/// One row of a configuration journal (fiat configuration, coins, staff accounts): who, when, what was done, the
/// state before → after as JSON. Each family keeps its own table (ADR 13, 18: a family owns its tables); what they
/// share is this shape, how a row is written and read, and its columns.
/// </summary>
public interface IChangeJournalRow
{
    long Id { get; set; }
    DateTimeOffset At { get; set; }
    string Actor { get; set; }
    string Action { get; set; }
    string? BeforeJson { get; set; }
    string? AfterJson { get; set; }
}

/// <summary>A journal row about an entity named by a kind and a key (a channel, a rule, a coin/network).</summary>
public interface IEntityChangeJournalRow : IChangeJournalRow
{
    string Entity { get; set; }
    string EntityKey { get; set; }
}

/// <summary>Writes, reads and maps the rows of every configuration journal the same way.</summary>
public static class ChangeJournal
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A new row: <paramref name="before"/> and <paramref name="after"/> (null = none) are stored as web JSON of their runtime type.</summary>
    public static T Entry<T>(string actor, DateTimeOffset at, string action, object? before, object? after) where T : IChangeJournalRow, new() => new()
    {
        At = at, Actor = actor, Action = action, BeforeJson = ToJson(before), AfterJson = ToJson(after),
    };

    /// <summary>A new row about <paramref name="entity"/> <paramref name="key"/>.</summary>
    public static T Entry<T>(string actor, DateTimeOffset at, string entity, string key, string action, object? before, object? after) where T : IEntityChangeJournalRow, new()
    {
        var row = Entry<T>(actor, at, action, before, after);
        row.Entity = entity;
        row.EntityKey = key;
        return row;
    }

    public static string? ToJson(object? value) => value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Json);

    /// <summary>A stored before/after as the API shows it.</summary>
    public static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);

    /// <summary>Who is changing the configuration (the signed-in person or system).</summary>
    public static string Actor(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.User.UserId();
    }

    /// <summary>The columns every journal table has (the tables already exist; this only describes them to EF).</summary>
    public static void MapColumns<T>(EntityTypeBuilder<T> e, string table) where T : class, IChangeJournalRow
    {
        ArgumentNullException.ThrowIfNull(e);
        e.ToTable(table);
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).ValueGeneratedOnAdd();
        e.Property(x => x.Actor).HasMaxLength(200);
        e.Property(x => x.Action).HasMaxLength(40);
        e.Property(x => x.BeforeJson).HasMaxLength(16000);
        e.Property(x => x.AfterJson).HasMaxLength(16000);
        e.HasIndex(x => x.At);
    }

    /// <summary>The columns of an entity journal: the common ones, the entity and its key (indexed together).</summary>
    public static void MapEntityColumns<T>(EntityTypeBuilder<T> e, string table) where T : class, IEntityChangeJournalRow
    {
        MapColumns(e, table);
        e.Property(x => x.Entity).HasMaxLength(60);
        e.Property(x => x.EntityKey).HasMaxLength(200);
        e.HasIndex(x => new { x.Entity, x.EntityKey });
    }
}
