using System.Security.Cryptography;

namespace OrderSystem.Marketing;

/// <summary>
/// One thank-you coupon per paid order, worth 5% of the amount paid, rounded down to the cent,
/// at least 1.00 and at most 50.00. Its code is derived from the order id, so it is the same however often it is computed.
/// </summary>
internal static class CouponRule
{
    public static decimal ValueFor(decimal amountPaid) =>
        Math.Clamp(decimal.Floor(amountPaid * 5m) / 100m, 1.00m, 50.00m);

    public static string CodeFor(Guid orderId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(orderId.ToByteArray(), hash);
        return "OS-" + Convert.ToHexString(hash[..5]);
    }
}
