namespace OrderSystem.Order.Contracts;

/// <summary>Buyers are identified by an opaque id from the shop front; these are the rules every module applies to it.</summary>
public static class UserIds
{
    public const string Message = "The user id must be 1-64 characters, with no control characters or surrounding spaces.";

    public static bool IsValid(string? userId) =>
        userId is { Length: >= 1 and <= 64 } &&
        userId.Trim().Length == userId.Length &&
        !userId.Any(char.IsControl);
}
