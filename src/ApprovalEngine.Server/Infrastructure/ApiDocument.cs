using System.Text.Json.Nodes;
using ApprovalEngine.Server.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ApprovalEngine.Server.Infrastructure;

/// <summary>
/// The OpenAPI document systems generate their clients from (GET /openapi/v1.json, the reference page at /docs).
/// Every operation names itself on its route (<c>.WithName("startInstance").WithSummary(...)</c>); what can be derived
/// from what the server enforces is derived here, so the document cannot drift from the server: which security
/// schemes a route accepts and which problem responses it can answer.
/// </summary>
public static class ApiDocument
{
    public const string BearerScheme = "Bearer";
    public const string ApiKeyScheme = "ApiKey";
    public const string ProblemSchema = "HttpValidationProblemDetails";

    /// <summary>Every tag an operation uses (<c>.WithTags</c>), with what it is for; the document's tag list in this order.</summary>
    public static readonly IReadOnlyList<(string Name, string Description)> Tags =
    [
        ("Auth", "Sign in (bearer tokens for people) and ask who the caller is."),
        ("Instances", "Start workflow instances, follow them and read their journal; cancel them."),
        ("Tasks", "The inbox: tasks people claim and complete with an action (approve, reject, …)."),
        ("Events", "Business events systems send (bank results, confirmations, …) that resume waiting instances."),
        ("Incidents", "Steps that failed after their retries; an operator retries them."),
        ("Webhooks", "Systems subscribe to events of a definition (instance completed or faulted, business status changed, task created); signed deliveries, retried, visible and re-sendable."),
        ("Definitions", "Workflow definitions: versions, drafts, validation, the status matrix and the impact of a draft."),
        ("Publishing", "Four-eyes publishing of definitions: publish requests, approval, suspending and resuming versions."),
        ("Instance migration", "Moving running instances to another version, approved by a second person."),
        ("Activities", "The activity types a workflow definition can use."),
        ("Expressions", "Checking and evaluating the expressions definitions use."),
        ("Dry run", "Trying a draft step by step without saving anything."),
        ("WD requests", "CRM withdrawal (WD) requests: create, act on, export and audit."),
        ("Fiat withdrawals", "Fiat withdrawal records, bank batches, statements, reconciliation, cheques and their configuration (changes that weaken a control wait for a second person)."),
        ("Crypto configuration", "Coins, networks and customers' verified wallet addresses."),
        ("Crypto records", "Crypto withdrawal and deposit records: list, export, detail."),
        ("Hooks", "Signed webhooks outside systems send (bank payout results, custody confirmations): authenticated by a Standard Webhooks signature, not a bearer token or API key."),
        ("Staff accounts", "People's accounts managed in the app: departments, WD permissions, rights, disabling; every change journaled. Needs users:manage."),
        ("Sandbox", "Development only: simulated ledger, bank and chain, to run flows without outside systems."),
    ];

    /// <summary>The problem responses, one component each (status → name, what it means in the words of the HTTP contract).</summary>
    private static readonly IReadOnlyDictionary<string, (string Name, string Description)> Problems = new Dictionary<string, (string, string)>
    {
        ["400"] = ("BadRequest", "Malformed request (bad JSON, a value of the wrong type); `errors` names the field."),
        ["401"] = ("Unauthorized", "Not authenticated: no or an invalid bearer token or API key."),
        ["403"] = ("Forbidden", "Authenticated, but not permitted: the caller lacks the right, department, permission or scope."),
        ["404"] = ("NotFound", "Unknown: nothing with that id (or not visible to the caller)."),
        ["409"] = ("Conflict", "Not available in the current state, or the data changed underneath (stale)."),
        ["413"] = ("PayloadTooLarge", "The request body is too large."),
        ["415"] = ("UnsupportedMediaType", "The body is not application/json."),
        ["422"] = ("UnprocessableEntity", "Well-formed but invalid; `errors` names each offending field."),
        ["429"] = ("TooManyRequests", "Too many attempts; retry later."),
        ["503"] = ("ServiceUnavailable", "The database cannot be reached; `Retry-After` says when to retry."),
    };

    private static OpenApiResponse ProblemResponse(string description, OpenApiDocument? document) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
        },
    };

    public static IServiceCollection AddApiDocument(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddOperationTransformer<SecurityAndProblems>();
        options.AddOperationTransformer((operation, context, _) =>
        {
            ApiExamples.Apply(operation, context);
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            Describe(document);
            return Task.CompletedTask;
        });
    });

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "ApprovalEngine API",
            Version = "v1",
            Description = """
                Workflow approvals for people and systems: start instances of published workflows, work the task inbox,
                send business events, and follow every instance through its journal.

                **Authentication.** People sign in with `POST /api/auth/token` and send `Authorization: Bearer <accessToken>`.
                Systems send their key as `X-Api-Key: <key>`; a key acts within its scopes (e.g. `start:sample-approval`,
                `events:*`, `read:*`). Each operation lists the schemes it accepts; routes for people only (e.g. the fiat
                operator actions) accept no API key.

                **Errors** are RFC 9457 problem details (`application/problem+json`) with an `errors` map naming the fields.
                **Lists** take `page` and `pageSize` (≤ 500). **Money** is a decimal number with a `currency`.
                **Idempotency:** a start with a `correlationId` that already exists for the definition answers 200 with that instance.
                """,
            License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" },
        };
        // Relative: the document describes the server it is served from, whatever host name the caller used.
        document.Servers = [new OpenApiServer { Url = "/", Description = "The server this document was fetched from." }];
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags?.AsEnumerable() ?? []).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        document.Tags = new HashSet<OpenApiTag>(Tags.Where(t => used.Contains(t.Name)).Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        // A tag an operation uses but the table lacks still appears (without a description), so the test names it.
        foreach (var name in used.Where(n => Tags.All(t => t.Name != n)).Order(StringComparer.Ordinal)) document.Tags.Add(new OpenApiTag { Name = name });
        document.Components ??= new OpenApiComponents();
        if (document.Components.Schemas?.ContainsKey(ProblemSchema) != true) throw new InvalidOperationException($"The problem responses refer to the schema {ProblemSchema}, which the document lacks.");
        document.Components.Responses = Problems.Values.ToDictionary(p => p.Name, p => (IOpenApiResponse)ProblemResponse(p.Description, document));
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "A person's access token: from `POST /api/auth/token`, or the company's identity provider's (Auth:Oidc).",
            },
            [ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "A system's API key; it acts within the key's rights and scopes.",
            },
        };
    }

    /// <summary>
    /// Per operation: the security schemes and the problem responses, from the endpoint's metadata, the same metadata
    /// the authorization middleware evaluates (policy names, policies, allow-anonymous, the fallback policy).
    /// </summary>
    private sealed class SecurityAndProblems(IAuthorizationPolicyProvider policies) : IOpenApiOperationTransformer
    {
        public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var policy = await EffectivePolicyAsync(metadata);
            var statuses = new SortedSet<string>(StringComparer.Ordinal);
            if (policy is null)
            {
                // Anonymous: an empty requirement says "no credentials needed" (an absent one would mean "unspecified").
                operation.Security = [new OpenApiSecurityRequirement()];
            }
            else
            {
                operation.Security = [.. Schemes(policy).Select(s => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(s, context.Document)] = [] })];
                statuses.Add("401");
                // Anything beyond "signed in" (a right, a person, a department) can refuse a signed-in caller.
                if (policy.Requirements.Any(r => r is not DenyAnonymousAuthorizationRequirement)) statuses.Add("403");
            }
            var parameters = operation.Parameters ?? [];
            if (operation.RequestBody is not null || parameters.Count > 0) statuses.Add("400");
            if (operation.RequestBody is not null) statuses.Add("422");
            if (parameters.Any(p => p.In == ParameterLocation.Path)) statuses.Add("404");
            statuses.Add("503");
            operation.Responses ??= [];
            foreach (var status in statuses)
            {
                if (!operation.Responses.ContainsKey(status)) operation.Responses[status] = new OpenApiResponse();
            }
            // Every 4xx/5xx, declared here or on the route (ProducesProblems), is a problem document: the shared response.
            foreach (var (status, response) in operation.Responses.Where(r => r.Key[0] is '4' or '5').ToList())
            {
                operation.Responses[status] = Problems.TryGetValue(status, out var shared)
                    ? new OpenApiResponseReference(shared.Name, context.Document)
                    : ProblemResponse(response.Description ?? "A problem.", context.Document);
            }
        }

        /// <summary>What <c>AuthorizationMiddleware</c> would enforce on the endpoint; null when it lets anyone in.</summary>
        private async Task<AuthorizationPolicy?> EffectivePolicyAsync(IList<object> metadata)
        {
            if (metadata.OfType<IAllowAnonymous>().Any()) return null;
            var combined = await AuthorizationPolicy.CombineAsync(policies, metadata.OfType<IAuthorizeData>().ToList(), metadata.OfType<AuthorizationPolicy>().ToList());
            var requirementData = metadata.OfType<IAuthorizationRequirementData>().SelectMany(d => d.GetRequirements()).ToList();
            if (requirementData.Count > 0)
            {
                var builder = new AuthorizationPolicyBuilder();
                if (combined is not null) builder.Combine(combined);
                combined = builder.AddRequirements([.. requirementData]).Build();
            }
            return combined ?? await policies.GetFallbackPolicyAsync();
        }

        /// <summary>
        /// The schemes a caller can pass the policy with: the policy's own schemes if it names any (the server then
        /// authenticates with those only), else both; never the API key where the policy lets only people through.
        /// </summary>
        private static IEnumerable<string> Schemes(AuthorizationPolicy policy)
        {
            var named = policy.AuthenticationSchemes;
            var bearer = named.Count == 0 || named.Contains(JwtBearerDefaults.AuthenticationScheme);
            var apiKey = (named.Count == 0 || named.Contains(ApiKeyAuthenticationHandler.SchemeName)) && !policy.Requirements.OfType<PeopleOnlyRequirement>().Any();
            if (bearer) yield return BearerScheme;
            if (apiKey) yield return ApiKeyScheme;
        }
    }
}

/// <summary>Examples for the requests systems send most (see the HTTP contract): shown on /docs and checked by the linter against the schemas.</summary>
internal static class ApiExamples
{
    private static readonly Dictionary<string, (string Summary, JsonObject Value)[]> ByOperation = new(StringComparer.Ordinal)
    {
        ["startInstance"] =
        [
            ("Start the sample approval", new JsonObject
            {
                ["correlationId"] = "order-10023",
                ["input"] = new JsonObject { ["amount"] = 2500.00m, ["currency"] = "USD" },
            }),
        ],
        ["completeTask"] =
        [
            ("Approve", new JsonObject { ["action"] = "Approve", ["comment"] = "Documents checked." }),
            ("Reject with a reason", new JsonObject { ["action"] = "Reject", ["comment"] = "The beneficiary name does not match the account." }),
        ],
        ["sendEvent"] =
        [
            ("Block confirmations for a transaction", new JsonObject
            {
                ["correlationId"] = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060",
                ["payload"] = new JsonObject { ["confirmations"] = 6 },
                ["idempotencyKey"] = "chain-0x5c50-6",
            }),
        ],
        ["createWdRequest"] =
        [
            ("A client's withdrawal", new JsonObject
            {
                ["customerId"] = "C-1001",
                ["tradingAccount"] = "TA-5001",
                ["requestedAmount"] = 250.00m,
                ["currency"] = "USD",
                ["comment"] = "Client asked by phone to withdraw to the card on file.",
            }),
        ],
    };

    public static IEnumerable<string> OperationIds => ByOperation.Keys;

    public static void Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName;
        if (name is null || !ByOperation.TryGetValue(name, out var examples)) return;
        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var media) != true || media is null) return;
        media.Examples = examples.ToDictionary(
            e => string.Concat(e.Summary.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select((w, i) => i == 0 ? w.ToLowerInvariant() : char.ToUpperInvariant(w[0]) + w[1..])),
            e => (IOpenApiExample)new OpenApiExample { Summary = e.Summary, Value = e.Value.DeepClone() });
    }
}
