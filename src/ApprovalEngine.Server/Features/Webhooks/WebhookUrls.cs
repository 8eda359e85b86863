using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Features.Webhooks;

/// <summary>
/// Where deliveries may go. A subscriber URL is an absolute http(s) URL without credentials; under strict URLs (every
/// environment except Development and Testing unless configured) also https only and never a private, loopback or
/// link-local address (a subscriber must not make the server call its own network), unless its host is allowed.
/// Checked when subscribing (literal addresses, names like localhost) and again on every connection, on the address
/// the name resolved to, so a name that later points inside is refused too.
/// </summary>
public sealed class WebhookUrls(IOptions<WebhookOptions> options, IHostEnvironment environment)
{
    public bool Strict => options.Value.StrictUrls ?? !(environment.IsDevelopment() || environment.IsEnvironment("Testing"));

    private bool HostAllowed(string host) => options.Value.AllowedHosts.Any(h => string.Equals(h.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    /// <summary>Why <paramref name="url"/> cannot be subscribed, or null.</summary>
    public string? Problem(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "The URL must be an absolute http or https URL.";
        }
        // Credentials in the URL would show in every read of the subscription; the secret is what authenticates.
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "The URL must not contain a user name or password.";
        if (!string.IsNullOrEmpty(uri.Fragment)) return "The URL must not contain a fragment.";
        if (!Strict || HostAllowed(uri.IdnHost)) return null;
        if (uri.Scheme == Uri.UriSchemeHttp && !options.Value.AllowHttp) return "The URL must use https.";
        if (uri.IsLoopback || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)) return "The URL must not point at this machine.";
        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IsInternal(address)) return "The URL must not point at a private or link-local address.";
        return null;
    }

    /// <summary>Whether a connection to <paramref name="address"/> (resolved from <paramref name="host"/>) may be made.</summary>
    public bool MayConnect(string host, IPAddress address) => !Strict || HostAllowed(host) || HostAllowed(address.ToString()) || !IsInternal(address);

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // IPv6 forms that carry an IPv4 address a gateway may reach for us: NAT64 (64:ff9b::/96; on a NAT64 network
            // 64:ff9b::a9fe:a9fe is the cloud metadata service), IPv4-compatible (::/96) and 6to4 (2002::/16). They are
            // judged by the IPv4 address inside; the local-use NAT64 prefix 64:ff9b:1::/48 is inside by definition.
            var v6 = address.GetAddressBytes();
            if (v6[0] == 0 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b)
            {
                if (v6[4] == 0 && v6[5] == 1) return true;
                if (v6.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0) return IsInternal(new IPAddress(v6.AsSpan(12, 4)));
            }
            if (v6.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) return IsInternal(new IPAddress(v6.AsSpan(12, 4)));
            if (v6[0] == 0x20 && v6[1] == 0x02) return IsInternal(new IPAddress(v6.AsSpan(2, 4)));
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        }
        var b = address.GetAddressBytes();
        return b[0] == 10 || b[0] == 0 || b[0] >= 224
            || (b[0] == 172 && b[1] is >= 16 and <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}
