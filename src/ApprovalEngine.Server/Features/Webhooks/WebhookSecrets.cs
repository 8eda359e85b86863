using System.Security.Cryptography;
using System.Text;
using ApprovalEngine.Server.Identity;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Features.Webhooks;

/// <summary>
/// Seals subscription secrets at rest (AES-GCM, bound to the subscription id) so that someone who reads the table
/// cannot sign deliveries with them; and signs deliveries the Standard Webhooks way.
/// </summary>
public sealed class WebhookSecrets
{
    private const string SecretPrefix = "whsec_";
    private readonly byte[]? _key;
    private readonly string? _problem;

    public WebhookSecrets(IOptions<WebhookOptions> options, IOptions<AuthOptions> auth, IHostEnvironment environment)
    {
        var configured = options.Value.SecretKey;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            byte[]? bytes = null;
            try
            {
                bytes = Convert.FromBase64String(configured);
            }
            catch (FormatException)
            {
            }
            if (bytes is { Length: >= 32 }) _key = bytes[..32];
            else _problem = "Webhooks:SecretKey must be base64 of at least 32 bytes.";
        }
        else if (auth.Value.HasUsableKey)
        {
            // One secret fewer to configure: a key of its own, derived from the token signing key (never the same bytes).
            _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(auth.Value.SigningKey!), 32, info: Encoding.UTF8.GetBytes("approval-engine webhook secrets"));
        }
        else if (environment.IsDevelopment() || environment.IsEnvironment("Testing"))
        {
            _key = SHA256.HashData(Encoding.UTF8.GetBytes("approval-engine development webhook key"));
        }
        else
        {
            _problem = "Set Webhooks:SecretKey (base64, 32 bytes) or Auth:SigningKey to store webhook secrets.";
        }
    }

    /// <summary>Why secrets cannot be sealed here, or null.</summary>
    public string? Problem => _problem;

    public string Seal(Guid subscriptionId, string secret)
    {
        var key = _key ?? throw new InvalidOperationException(_problem);
        var plain = Encoding.UTF8.GetBytes(secret);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(key, tag.Length);
        aes.Encrypt(nonce, plain, cipher, tag, subscriptionId.ToByteArray());
        return Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    public string Unseal(Guid subscriptionId, string sealedSecret)
    {
        var key = _key ?? throw new InvalidOperationException(_problem);
        var all = Convert.FromBase64String(sealedSecret);
        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        var plain = new byte[all.Length - nonceSize - tagSize];
        using var aes = new AesGcm(key, tagSize);
        aes.Decrypt(all.AsSpan(0, nonceSize), all.AsSpan(nonceSize + tagSize), all.AsSpan(nonceSize, tagSize), plain, subscriptionId.ToByteArray());
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>A new secret in the Standard Webhooks form: <c>whsec_</c> and base64 of 32 random bytes.</summary>
    public static string Generate() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>What an operator sees instead of the secret: its form and last four characters.</summary>
    public static string Hint(string secret) => (secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? SecretPrefix : "") + "…" + secret[^4..];

    /// <summary>Why a secret a system chose is unusable, or null.</summary>
    public static string? Check(string secret)
    {
        if (secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            var bytes = TryBase64(secret[SecretPrefix.Length..]);
            return bytes is { Length: >= 24 and <= 64 } ? null : "A 'whsec_' secret must be base64 of 24 to 64 bytes.";
        }
        if (secret.Length is < 24 or > 200) return "The secret must have 24 to 200 characters (or be 'whsec_' and base64).";
        return secret.Any(char.IsControl) ? "The secret must not contain control characters." : null;
    }

    /// <summary>
    /// The HMAC key of a secret as Standard Webhooks libraries read it: a <c>whsec_</c> secret is base64 of the key;
    /// any other secret is used as its UTF-8 bytes.
    /// </summary>
    public static byte[] KeyOf(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? Convert.FromBase64String(secret[SecretPrefix.Length..]) : Encoding.UTF8.GetBytes(secret);

    /// <summary><c>v1,</c> and base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}").</summary>
    public static string Sign(byte[] key, string id, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));

    private static byte[]? TryBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
