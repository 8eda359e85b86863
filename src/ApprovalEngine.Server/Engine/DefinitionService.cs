using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Validation;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Engine;

/// <summary>Parsing, validating, saving drafts of and adding versions to definitions. Published versions are immutable; analysts publish through <see cref="PublishingService"/>.</summary>
public sealed class DefinitionService(WorkflowValidator validator, TimeProvider clock, ICronSchedule cron)
{
    public const int MaxDefinitionBytes = 512 * 1024;

    /// <summary>Parses a definition document; structural problems become errors keyed by JSON pointer.</summary>
    public static (WorkflowDefinition? Definition, List<ValidationError> Errors) Parse(JsonNode? body)
    {
        var (definition, blocking, content) = ParseDraft(body);
        if (definition is null) return (null, [.. blocking, .. content]);
        return content.Count > 0 ? (null, content) : (definition, []);
    }

    /// <summary>Schema complaints about values, not shape: a draft may hold them while the analyst works (never a version).</summary>
    private static bool IsContentRule(DefinitionSchemaValidator.SchemaError e) =>
        e.Error.Path != "/id" && e.Kind is NJsonSchema.Validation.ValidationErrorKind.PatternMismatch or NJsonSchema.Validation.ValidationErrorKind.StringTooShort
            or NJsonSchema.Validation.ValidationErrorKind.NotInEnumeration or NJsonSchema.Validation.ValidationErrorKind.TooFewItems
            or NJsonSchema.Validation.ValidationErrorKind.NumberTooSmall or NJsonSchema.Validation.ValidationErrorKind.NumberTooBig;

    /// <summary>
    /// Parses a draft as it is being edited: a document of the right shape (an object whose properties have the
    /// format's JSON types, no unknown properties, within the size caps, a valid id) becomes a definition even when its
    /// content breaks the format's rules (an empty name, a variable named "1st", no activities yet); those come back as
    /// <c>Content</c> problems. Only <c>Blocking</c> problems keep a draft from being saved.
    /// </summary>
    public static (WorkflowDefinition? Definition, List<ValidationError> Blocking, List<ValidationError> Content) ParseDraft(JsonNode? body)
    {
        var errors = new List<ValidationError>();
        var content = new List<ValidationError>();
        if (body is not JsonObject)
        {
            errors.Add(new("", "The body must be a JSON object holding a workflow definition."));
            return (null, errors, content);
        }
        var json = body.ToJsonString();
        if (json.Length > MaxDefinitionBytes)
        {
            errors.Add(new("", $"The definition is larger than {MaxDefinitionBytes / 1024} KB."));
            return (null, errors, content);
        }
        foreach (var e in DefinitionSchemaValidator.ValidateDetailed(json))
        {
            (IsContentRule(e) ? content : errors).Add(e.Error);
        }
        if (errors.Count > 0) return (null, errors, content);
        try
        {
            var definition = body.Deserialize<WorkflowDefinition>(DefinitionJson.Options);
            if (definition is null) errors.Add(new("", "The definition is empty."));
            else errors.AddRange(NullsIn(definition));
            return (errors.Count == 0 ? definition : null, errors, content);
        }
        catch (JsonException ex)
        {
            var path = ex.Path is null or "$" ? "" : "/" + string.Join('/', ex.Path.TrimStart('$', '.').Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries));
            errors.Add(new(path, ex.Message.Split(" Path:", 2)[0]));
            return (null, errors, content);
        }
    }

    /// <summary>
    /// Every problem of a parsed draft, as the Validate button lists them: the schema's content rules first; the
    /// engine's rules only once those hold (they assume names and ids of the format's form).
    /// </summary>
    public async Task<IReadOnlyList<ValidationError>> ProblemsAsync(ApprovalDbContext db, WorkflowDefinition definition, IReadOnlyList<ValidationError> contentProblems, CancellationToken cancellationToken) =>
        contentProblems.Count > 0 ? contentProblems : await ValidateAsync(db, definition, cancellationToken);

    /// <summary>
    /// A stored document (a draft or a publish request's snapshot) as a definition that may be published: parsed as a
    /// draft (so drafts saved by earlier releases still load) and then held to every rule; 422 listing the problems otherwise.
    /// </summary>
    public async Task<WorkflowDefinition> RequireValidAsync(ApprovalDbContext db, string storedJson, CancellationToken cancellationToken)
    {
        var (definition, blocking, content) = ParseDraft(JsonNode.Parse(storedJson));
        if (definition is null) throw Invalid(blocking);
        var problems = await ProblemsAsync(db, definition, content, cancellationToken);
        if (problems.Count > 0) throw Invalid(problems);
        return definition;
    }

    /// <summary>
    /// JSON <c>null</c> where the format wants an array, an object or a name deserializes fine but would crash the
    /// validator and the engine; report each at its JSON pointer instead.
    /// </summary>
    private static IEnumerable<ValidationError> NullsIn(WorkflowDefinition d)
    {
        if (d.Id is null) yield return new("/id", "id is required.");
        if (d.Name is null) yield return new("/name", "name is required.");
        foreach (var e in Elements("variables", d.Variables, (v, at) => v.Name is null ? [new($"{at}/name", "name is required.")] : [])) yield return e;
        foreach (var e in Elements("inputs", d.Inputs, (v, at) => v.Name is null ? [new($"{at}/name", "name is required.")] : [])) yield return e;
        foreach (var e in Elements("activities", d.Activities, (a, at) =>
        [
            .. a.Id is null ? [new ValidationError($"{at}/id", "id is required.")] : Array.Empty<ValidationError>(),
            .. a.Type is null ? [new ValidationError($"{at}/type", "type is required.")] : Array.Empty<ValidationError>(),
            .. a.Inputs is null ? [new ValidationError($"{at}/inputs", "inputs must be an object, not null.")] : Array.Empty<ValidationError>(),
        ]))
        {
            yield return e;
        }
        foreach (var e in Elements("connections", d.Connections, (c, at) =>
            new[] { ("source", c.Source), ("outcome", c.Outcome), ("target", c.Target) }.Where(p => p.Item2 is null).Select(p => new ValidationError($"{at}/{p.Item1}", $"{p.Item1} is required."))))
        {
            yield return e;
        }
        foreach (var e in Elements("interrupts", d.Interrupts, (i, at) =>
            new[] { ("event", i.Event), ("target", i.Target) }.Where(p => p.Item2 is null).Select(p => new ValidationError($"{at}/{p.Item1}", $"{p.Item1} is required."))))
        {
            yield return e;
        }
    }

    private static IEnumerable<ValidationError> Elements<T>(string name, IReadOnlyList<T>? list, Func<T, string, IEnumerable<ValidationError>> check)
        where T : class
    {
        if (list is null)
        {
            yield return new($"/{name}", $"{name} must be an array, not null.");
            yield break;
        }
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not { } item)
            {
                yield return new($"/{name}/{i}", "must be an object, not null.");
                continue;
            }
            foreach (var e in check(item, $"/{name}/{i}")) yield return e;
        }
    }

    public async Task<IReadOnlyList<ValidationError>> ValidateAsync(ApprovalDbContext db, WorkflowDefinition definition, CancellationToken cancellationToken)
    {
        var published = await db.Definitions.AsNoTracking().Where(d => d.PublishedVersion != null).Select(d => d.Id).ToListAsync(cancellationToken);
        var known = published.ToHashSet(StringComparer.Ordinal);
        // A flow may call itself (recursion is bounded by waits), and drafts may call flows published meanwhile.
        return validator.Validate(definition, id => known.Contains(id) || id == definition.Id);
    }

    public static ApiProblemException Invalid(IReadOnlyList<ValidationError> errors) =>
        ApiProblemException.Invalid(errors.GroupBy(e => e.Path.Length == 0 ? "/" : e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Describe()).ToArray()), $"The definition has {errors.Count} problem(s); the first: {errors[0].Describe()}");

    /// <summary>
    /// Saves the draft whatever its problems (work in progress is never refused); they are returned, and publishing
    /// refuses the draft until they are fixed (<see cref="RequireValidAsync"/>).
    /// </summary>
    public async Task<(DefinitionRecord Record, IReadOnlyList<ValidationError> Problems)> SaveDraftAsync(ApprovalDbContext db, string id, WorkflowDefinition definition, IReadOnlyList<ValidationError> contentProblems, string user, CancellationToken cancellationToken)
    {
        if (definition.Id != id) throw ApiProblemException.Invalid("/id", $"The definition's id '{definition.Id}' differs from the route's '{id}'.");
        var problems = await ProblemsAsync(db, definition, contentProblems, cancellationToken);
        var now = clock.GetUtcNow();
        var record = await db.Definitions.FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (record is null)
        {
            record = new DefinitionRecord { Id = id, Name = definition.Name, CreatedAt = now };
            db.Definitions.Add(record);
        }
        // A draft may have no name yet; the list keeps showing the last one (or the id).
        record.Name = string.IsNullOrWhiteSpace(definition.Name) ? (string.IsNullOrWhiteSpace(record.Name) ? id : record.Name) : definition.Name;
        record.Description = definition.Description;
        record.DraftJson = DefinitionJson.Serialize(definition with { Version = 0 });
        record.DraftSavedAt = now;
        record.DraftSavedBy = user;
        record.UpdatedAt = now;
        Journal(db, id, DefinitionJournalKinds.DraftSaved, user, null, Hash(definition), null, null);
        await db.SaveChangesAsync(cancellationToken);
        return (record, problems);
    }

    /// <summary>Publishes a definition file unless a version with the same content exists (Development start-up).</summary>
    public async Task<int?> PublishIfNewAsync(ApprovalDbContext db, WorkflowDefinition definition, string user, CancellationToken cancellationToken)
    {
        var hash = Hash(definition);
        if (await db.DefinitionVersions.AnyAsync(v => v.DefinitionId == definition.Id && v.ContentHash == hash, cancellationToken)) return null;
        var errors = await ValidateAsync(db, definition, cancellationToken);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"workflows/{definition.Id}.json is invalid: " + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")));
        }
        var now = clock.GetUtcNow();
        var record = await db.Definitions.FirstOrDefaultAsync(d => d.Id == definition.Id, cancellationToken);
        if (record is null)
        {
            record = new DefinitionRecord { Id = definition.Id, Name = definition.Name, Description = definition.Description, CreatedAt = now, UpdatedAt = now };
            db.Definitions.Add(record);
        }
        var version = await AddVersionAsync(db, record, definition, user, cancellationToken);
        // Files in workflows/ are reviewed as code, not through a publish request; the journal still says where the version came from.
        Journal(db, definition.Id, DefinitionJournalKinds.PublishedFromFile, user, version, hash, null, $"workflows/{definition.Id}.json");
        await db.SaveChangesAsync(cancellationToken);
        return version;
    }

    public void Journal(ApprovalDbContext db, string definitionId, string kind, string user, int? version, string? contentHash, Guid? requestId, string? note) =>
        db.DefinitionJournal.Add(new DefinitionJournalRecord
        {
            DefinitionId = definitionId,
            Timestamp = clock.GetUtcNow(),
            Kind = kind,
            Version = version,
            ContentHash = contentHash,
            RequestId = requestId,
            UserId = user,
            Note = note,
        });

    /// <summary>Adds the next version with exactly <paramref name="definition"/>'s content and makes it the published one.</summary>
    public async Task<int> AddVersionAsync(ApprovalDbContext db, DefinitionRecord record, WorkflowDefinition definition, string user, CancellationToken cancellationToken)
    {
        var last = await db.DefinitionVersions.Where(v => v.DefinitionId == record.Id).MaxAsync(v => (int?)v.Version, cancellationToken) ?? 0;
        var version = last + 1;
        var now = clock.GetUtcNow();
        db.DefinitionVersions.Add(new DefinitionVersionRecord
        {
            DefinitionId = record.Id,
            Version = version,
            Json = DefinitionJson.Serialize(definition with { Version = version }),
            ContentHash = Hash(definition),
            PublishedAt = now,
            PublishedBy = user,
        });
        record.Name = definition.Name;
        record.Description = definition.Description;
        record.LatestVersion = version;
        record.PublishedVersion = version;
        record.UpdatedAt = now;
        await SyncStartTriggersAsync(db, record.Id, version, definition, now, cancellationToken);
        return version;
    }

    /// <summary>
    /// The start triggers follow the published version (ADR 9), written with the publication. A cron trigger kept
    /// with the same id, schedule and time zone keeps its next due time, so republishing neither skips nor repeats a tick.
    /// </summary>
    private async Task SyncStartTriggersAsync(ApprovalDbContext db, string definitionId, int version, WorkflowDefinition definition, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var existing = await db.StartTriggers.Where(t => t.DefinitionId == definitionId).ToDictionaryAsync(t => t.TriggerId, StringComparer.Ordinal, cancellationToken);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < definition.StartTriggers.Count; i++)
        {
            var trigger = definition.StartTriggers[i];
            var key = trigger.KeyAt(i);
            kept.Add(key);
            DateTimeOffset? due = null;
            if (trigger.Cron is { } expression)
            {
                due = existing.TryGetValue(key, out var old) && old.Cron == expression && old.TimeZone == trigger.TimeZone && old.NextDueAt is { } keep
                    ? keep
                    : cron.Next(expression, now, trigger.TimeZone, out _);
            }
            if (!existing.TryGetValue(key, out var row))
            {
                row = new StartTriggerRecord { DefinitionId = definitionId, TriggerId = key, Kind = "" };
                db.StartTriggers.Add(row);
            }
            row.Version = version;
            row.Kind = trigger.Cron is null ? "event" : "cron";
            row.EventName = trigger.Event;
            row.Cron = trigger.Cron;
            row.TimeZone = trigger.TimeZone;
            row.NextDueAt = due;
        }
        foreach (var (key, row) in existing)
        {
            if (!kept.Contains(key)) db.StartTriggers.Remove(row);
        }
    }

    /// <summary>Content hash ignoring the version number and formatting.</summary>
    public static string Hash(WorkflowDefinition definition)
    {
        var canonical = JsonSerializer.Serialize(definition with { Version = 0 }, DefinitionJson.Options);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
