using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

// EF translates ToUpper() for a case-insensitive match on both providers; string.Equals with a comparison it does not.
#pragma warning disable CA1862

namespace ApprovalEngine.Server.Features.Fiat.Config;

public sealed record WithdrawalParameterBody(string? ClientBank, string? Currency, string? EstimatedArrival, decimal? Fee, int? RowVersion);

public sealed record WithdrawalParameterView(Guid Id, string ClientBank, string Currency, string? EstimatedArrival, decimal? Fee, int RowVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WithdrawalParameterView Of(WithdrawalParameter p) => new(p.Id, p.ClientBank, p.Currency, p.EstimatedArrival, p.Fee, p.RowVersion, p.CreatedAt, p.UpdatedAt);
}

/// <summary>Withdrawal Rules Management &gt; Withdrawal Configuration: estimated arrival and fee per client bank (add, edit, copy).</summary>
public static class WithdrawalParametersEndpoints
{
    public const string Entity = "WithdrawalParameter";

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/withdrawal-parameters", List).WithName("listWithdrawalParameters").WithSummary("List withdrawal parameters");
        config.MapGet("/withdrawal-parameters/{id}", Get).WithName("getWithdrawalParameters").WithSummary("Get withdrawal parameters");
        config.MapPost("/withdrawal-parameters", Create).WithName("createWithdrawalParameters").WithSummary("Add withdrawal parameters");
        config.MapPut("/withdrawal-parameters/{id}", Edit).WithName("editWithdrawalParameters").WithSummary("Change withdrawal parameters");
        config.MapPost("/withdrawal-parameters/{id}/copy", Copy).WithName("copyWithdrawalParameters").WithSummary("Copy withdrawal parameters");
    }

    public static async Task<Ok<List<WithdrawalParameterView>>> List(string? clientBank, string? currency, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var bank = clientBank?.Trim().ToUpperInvariant();
        var code = currency?.Trim().ToUpperInvariant();
        var rows = await db.Set<WithdrawalParameter>().AsNoTracking()
            .Where(p => bank == null || p.ClientBank.ToUpper() == bank)
            .Where(p => code == null || p.Currency == code)
            .OrderBy(p => p.ClientBank).ThenBy(p => p.Currency).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(WithdrawalParameterView.Of).ToList());
    }

    public static async Task<Ok<WithdrawalParameterView>> Get(string id, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        return TypedResults.Ok(WithdrawalParameterView.Of(await FindAsync(db, id, ct)));
    }

    private static async Task<WithdrawalParameter> FindAsync(FiatDbContext db, string id, CancellationToken ct)
    {
        var key = Require.Id(id, "withdrawal parameter set");
        return await db.Set<WithdrawalParameter>().FirstOrDefaultAsync(p => p.Id == key, ct) ?? throw ApiProblemException.NotFound($"No withdrawal parameter set '{id}'.");
    }

    private static void Apply(FieldErrors errors, WithdrawalParameter row, WithdrawalParameterBody body)
    {
        row.ClientBank = errors.Text(body.ClientBank, "clientBank", 200);
        row.Currency = errors.Currency(body.Currency, "currency");
        row.EstimatedArrival = errors.OptionalText(body.EstimatedArrival, "estimatedArrival", 200);
        row.Fee = errors.OptionalMoney(body.Fee, "fee");
    }

    private static async Task EnsureUniqueAsync(FiatDbContext db, WithdrawalParameter row, CancellationToken ct)
    {
        var bank = row.ClientBank.ToUpperInvariant();
        if (await db.Set<WithdrawalParameter>().AnyAsync(p => p.Id != row.Id && p.ClientBank.ToUpper() == bank && p.Currency == row.Currency, ct))
        {
            throw ApiProblemException.Conflict($"Parameters for {row.ClientBank} in {row.Currency} exist already; edit them.");
        }
    }

    private static async Task<Created<WithdrawalParameterView>> AddAsync(WithdrawalParameter row, string action, object? source, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        await EnsureUniqueAsync(db, row, ct);
        db.Add(row);
        ConfigJournal.Add(db, ConfigJournal.Actor(http), row.CreatedAt, Entity, row.Id.ToString(), action, source, WithdrawalParameterView.Of(row));
        await ConfigSave.SaveAsync(db, $"Parameters for {row.ClientBank} in {row.Currency}", ct);
        return TypedResults.Created($"/api/fiat/config/withdrawal-parameters/{row.Id}", WithdrawalParameterView.Of(row));
    }

    public static async Task<Created<WithdrawalParameterView>> Create(WithdrawalParameterBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var errors = new FieldErrors();
        var now = time.GetUtcNow();
        var row = new WithdrawalParameter { Id = Guid.CreateVersion7(now), CreatedAt = now, UpdatedAt = now, RowVersion = 1 };
        Apply(errors, row, body);
        errors.ThrowIfAny();
        return await AddAsync(row, "Create", null, http, db, ct);
    }

    /// <summary>A new set from an existing one: what the body names replaces the copied value (a different client bank or currency at least).</summary>
    public static async Task<Created<WithdrawalParameterView>> Copy(string id, WithdrawalParameterBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var source = await FindAsync(db, id, ct);
        var errors = new FieldErrors();
        var now = time.GetUtcNow();
        var row = new WithdrawalParameter { Id = Guid.CreateVersion7(now), CreatedAt = now, UpdatedAt = now, RowVersion = 1 };
        Apply(errors, row, body with
        {
            ClientBank = body.ClientBank ?? source.ClientBank,
            Currency = body.Currency ?? source.Currency,
            EstimatedArrival = body.EstimatedArrival ?? source.EstimatedArrival,
            Fee = body.Fee ?? source.Fee,
        });
        errors.ThrowIfAny();
        return await AddAsync(row, "Copy", new { copiedFrom = source.Id }, http, db, ct);
    }

    public static async Task<Ok<WithdrawalParameterView>> Edit(string id, WithdrawalParameterBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var row = await FindAsync(db, id, ct);
        var before = WithdrawalParameterView.Of(row);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        Apply(errors, row, body);
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(row.RowVersion, version, $"The withdrawal parameter set '{id}'");
        await EnsureUniqueAsync(db, row, ct);
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        ConfigJournal.Add(db, ConfigJournal.Actor(http), row.UpdatedAt, Entity, id, "Edit", before, WithdrawalParameterView.Of(row));
        await ConfigSave.SaveAsync(db, $"The withdrawal parameter set '{id}'", ct);
        return TypedResults.Ok(WithdrawalParameterView.Of(row));
    }
}
