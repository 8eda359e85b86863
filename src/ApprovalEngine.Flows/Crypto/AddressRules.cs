using System.Numerics;
using System.Security.Cryptography;

namespace ApprovalEngine.Flows.Crypto;

/// <summary>
/// Wallet address formats per network (issue 13, address verification): a pure decision, so the flow's check and
/// its table test agree. Checked are the shape and the checksum the network's format carries: Base58Check for BTC
/// legacy (1…, 3…) and TRON (T…), bech32/bech32m for BTC segwit (bc1…), 0x + 40 hex for ERC20. Mixed-case ERC20
/// addresses are not verified against EIP-55 (that needs Keccak-256, which .NET does not ship). A network without a
/// known format is not refused here: the reviewer's task is the check.
/// </summary>
public static class AddressRules
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Why the address cannot be on the network, or null when its format is valid (or the network has no known format).</summary>
    public static string? FormatProblem(string network, string? address)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (string.IsNullOrWhiteSpace(address)) return "The address is required.";
        if (address.Trim() != address) return "The address must not start or end with spaces.";
        return network.ToUpperInvariant() switch
        {
            "BTC" => Bitcoin(address),
            "ERC20" or "ETH" => Ethereum(address),
            "TRC20" or "TRON" => Tron(address),
            _ => null,
        };
    }

    private static string? Bitcoin(string address)
    {
        if (address.StartsWith("bc1", StringComparison.OrdinalIgnoreCase))
        {
            return Bech32Valid(address, "bc") ? null : "A BTC bech32 address is bc1 followed by 11 to 71 bech32 characters with a valid checksum.";
        }
        if (address[0] is not ('1' or '3')) return "A BTC address starts with 1, 3 or bc1.";
        if (address.Length is < 26 or > 35) return "A BTC legacy address has 26 to 35 characters.";
        var payload = Base58Check(address);
        return payload is { Length: 21 } && payload[0] is 0x00 or 0x05 ? null : "The BTC address's Base58Check checksum or version is wrong.";
    }

    private static string? Ethereum(string address)
    {
        if (address.Length != 42 || !address.StartsWith("0x", StringComparison.Ordinal)) return "An ERC20 address is 0x followed by 40 hexadecimal digits.";
        return address.AsSpan(2).ContainsAnyExcept(Hex) ? "An ERC20 address is 0x followed by 40 hexadecimal digits." : null;
    }

    private static string? Tron(string address)
    {
        if (address.Length != 34 || address[0] != 'T') return "A TRON address starts with T and has 34 characters.";
        var payload = Base58Check(address);
        return payload is { Length: 21 } && payload[0] == 0x41 ? null : "The TRON address's Base58Check checksum is wrong.";
    }

    /// <summary>The payload of a Base58Check string (without its 4-byte checksum), or null when it is not one.</summary>
    private static byte[]? Base58Check(string text)
    {
        BigInteger value = 0;
        foreach (var c in text)
        {
            var digit = Base58Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0) return null;
            value = value * 58 + digit;
        }
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var zeros = text.TakeWhile(c => c == '1').Count();
        var full = new byte[zeros + bytes.Length];
        bytes.CopyTo(full, zeros);
        if (full.Length < 5) return null;
        var payload = full[..^4];
        var check = SHA256.HashData(SHA256.HashData(payload));
        return check.AsSpan(0, 4).SequenceEqual(full.AsSpan(full.Length - 4)) ? payload : null;
    }

    /// <summary>BIP 173 / BIP 350: one case, the human-readable part, data in the charset, bech32 or bech32m checksum.</summary>
    private static bool Bech32Valid(string address, string hrp)
    {
        if (address.Length is < 14 or > 74) return false;
        // One case throughout (BIP 173): mixed case is refused, not folded.
        if (!string.Equals(address, address.ToLowerInvariant(), StringComparison.Ordinal) && !string.Equals(address, address.ToUpperInvariant(), StringComparison.Ordinal)) return false;
        var lower = address.ToLowerInvariant();
        var separator = lower.LastIndexOf('1');
        if (separator != hrp.Length || !lower.StartsWith(hrp, StringComparison.Ordinal)) return false;
        var data = new List<int>();
        foreach (var c in lower[(separator + 1)..])
        {
            var v = Bech32Charset.IndexOf(c, StringComparison.Ordinal);
            if (v < 0) return false;
            data.Add(v);
        }
        if (data.Count < 7) return false;
        var values = new List<int>();
        foreach (var c in hrp) values.Add(c >> 5);
        values.Add(0);
        foreach (var c in hrp) values.Add(c & 31);
        values.AddRange(data);
        var polymod = Polymod(values);
        // Witness version 0 uses bech32 (constant 1), versions 1–16 bech32m (0x2bc830a3).
        return data[0] == 0 ? polymod == 1 : data[0] <= 16 && polymod == 0x2bc830a3;
    }

    private static uint Polymod(List<int> values)
    {
        uint[] generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        uint chk = 1;
        foreach (var v in values)
        {
            var top = chk >> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ (uint)v;
            for (var i = 0; i < 5; i++)
            {
                if (((top >> i) & 1) != 0) chk ^= generator[i];
            }
        }
        return chk;
    }
}
