using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

public sealed record CurrencyBody(string? Code, bool? WithdrawalEnabled, int? RowVersion);

public sealed record CurrencyView(string Code, bool WithdrawalEnabled, int RowVersion, DateTimeOffset UpdatedAt)
{
    public static CurrencyView Of(FiatCurrency c) => new(c.Code, c.WithdrawalEnabled, c.RowVersion, c.UpdatedAt);
}

/// <summary>Fund Parameter &gt; Currency Setup: the withdrawal function per currency.</summary>
public static class CurrenciesEndpoints
{
    public const string Entity = "Currency";

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/currencies", List).WithName("listCurrencies").WithSummary("List currencies");
        config.MapPost("/currencies", Create).WithName("createCurrency").WithSummary("Add a currency");
        config.MapPut("/currencies/{code}", Edit).WithName("editCurrency").WithSummary("Change a currency");
    }

    public static async Task<Ok<List<CurrencyView>>> List(HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var rows = await db.Set<FiatCurrency>().AsNoTracking().OrderBy(c => c.Code).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(CurrencyView.Of).ToList());
    }

    public static async Task<Created<CurrencyView>> Create(CurrencyBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var errors = new FieldErrors();
        var code = errors.Currency(body.Code, "code");
        var enabled = errors.Bool(body.WithdrawalEnabled, "withdrawalEnabled");
        errors.ThrowIfAny();
        if (await db.Set<FiatCurrency>().AnyAsync(c => c.Code == code, ct)) throw ApiProblemException.Conflict($"The currency {code} is already set up.");
        var row = new FiatCurrency { Code = code, WithdrawalEnabled = enabled, RowVersion = 1, UpdatedAt = time.GetUtcNow() };
        db.Add(row);
        ConfigJournal.Add(db, ConfigJournal.Actor(http), row.UpdatedAt, Entity, code, "Create", null, CurrencyView.Of(row));
        await ConfigSave.SaveAsync(db, $"The currency {code}", ct);
        return TypedResults.Created($"/api/fiat/config/currencies/{code}", CurrencyView.Of(row));
    }

    public static async Task<Ok<CurrencyView>> Edit(string code, CurrencyBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var key = code.ToUpperInvariant();
        var row = await db.Set<FiatCurrency>().FirstOrDefaultAsync(c => c.Code == key, ct) ?? throw ApiProblemException.NotFound($"The currency {code} is not set up.");
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        var enabled = errors.Bool(body.WithdrawalEnabled, "withdrawalEnabled");
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(row.RowVersion, version, $"The currency {key}");
        var before = CurrencyView.Of(row);
        // Applies on one say: neither direction weakens a control (FiatWeakening.Currency, ADR 15) — off stops the
        // money, on leaves every channel's rules, limits and review rules in force.
        row.WithdrawalEnabled = enabled;
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        ConfigJournal.Add(db, ConfigJournal.Actor(http), row.UpdatedAt, Entity, key, "Edit", before, CurrencyView.Of(row));
        await ConfigSave.SaveAsync(db, $"The currency {key}", ct);
        return TypedResults.Ok(CurrencyView.Of(row));
    }
}
