using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Primitives;

namespace ApprovalEngine.Server.Infrastructure;

/// <summary>
/// Names the query or route value an endpoint could not parse. The request delegates are written at build time by
/// ASP.NET Core's request delegate generator (ADR 0024: a server start no longer compiles ~300 of them). For an
/// optional parsable parameter (<c>int? page</c>, <c>Guid? instanceId</c>) a value that does not parse makes the
/// generated code answer a bare 400 without throwing, where the runtime factory threw "Failed to bind parameter". Such a
/// 400 leaves here unwritten; this middleware finds the offending value from the endpoint's parameter metadata and throws
/// the same <see cref="BadHttpRequestException"/> the runtime factory threw, so <see cref="Problems"/> answers as before:
/// an RFC 9457 problem naming the field.
/// </summary>
public sealed class UnboundParameter(RequestDelegate next)
{
    private delegate bool Parser(string value);

    private static readonly ConcurrentDictionary<Type, Parser?> Parsers = new();

    public async Task InvokeAsync(HttpContext http)
    {
        await next(http);
        if (http.Response.StatusCode != StatusCodes.Status400BadRequest || http.Response.HasStarted) return;
        if (http.GetEndpoint()?.Metadata.GetOrderedMetadata<IParameterBindingMetadata>() is not { Count: > 0 } parameters) return;
        foreach (var parameter in parameters)
        {
            if (!parameter.HasTryParse) continue;
            var values = http.Request.RouteValues.TryGetValue(parameter.Name, out var routed) && routed is string r
                ? new StringValues(r)
                : http.Request.Query[parameter.Name];
            var type = parameter.ParameterInfo.ParameterType;
            var array = type.IsArray;
            if (array) type = type.GetElementType()!;
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (Parsers.GetOrAdd(type, Create) is not { } parse) continue;
            // A single value is parsed as the generated code reads it: all the values a client sent under its name,
            // joined with commas (?page=1&page=2 is "1,2"), so each value alone may parse where their join does not.
            foreach (var value in array ? values.ToArray() : [values.ToString()])
            {
                if (string.IsNullOrEmpty(value) || parse(value)) continue;
                // The runtime factory's wording, which Problems turns into errors[<name>].
                throw new BadHttpRequestException(string.Format(CultureInfo.InvariantCulture,
                    "Failed to bind parameter \"{0} {1}\" from \"{2}\".", type.Name, parameter.Name, value));
            }
        }
    }

    // The parse the generated code used: enums by name or number, otherwise the type's TryParse with the invariant
    // culture where it takes one (IParsable), else the plain TryParse(string, out T).
    private static Parser? Create(Type type)
    {
        if (type == typeof(string)) return null;
        if (type.IsEnum) return value => Enum.TryParse(type, value, ignoreCase: false, out _);
        var withProvider = type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]);
        if (withProvider is not null)
            return value => (bool)withProvider.Invoke(null, [value, CultureInfo.InvariantCulture, null])!;
        var plain = type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), type.MakeByRefType()]);
        return plain is null ? null : value => (bool)plain.Invoke(null, [value, null])!;
    }
}
