using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace OrderSystem.BuildingBlocks.Http;

/// <summary>
/// The payment provider signs each callback (payments, refund webhooks): X-Signature = "sha256=" + lowercase hex
/// HMAC-SHA256 of the raw body, keyed with Payments:CallbackSecret.
/// </summary>
public sealed class PaymentSignature(IConfiguration configuration)
{
    private const string Prefix = "sha256=";

    private readonly byte[] _key = Encoding.UTF8.GetBytes(configuration["Payments:CallbackSecret"] is { Length: > 0 } secret
        ? secret
        : throw new InvalidOperationException("Payments:CallbackSecret is not configured."));

    public bool IsValid(ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal) || header.Length != Prefix.Length + 64)
        {
            return false;
        }
        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(header.AsSpan(Prefix.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != 32)
        {
            return false;
        }
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(_key, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
