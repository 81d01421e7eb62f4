using Microsoft.AspNetCore.Http;

namespace OrderSystem.BuildingBlocks.Http;

/// <summary>Every error answer is RFC 9457 problem+json with a stable type URI that clients can switch on.</summary>
public static class Problems
{
    public const string TypeBase = "https://ordersystem.dev/problems/";

    public static IResult Create(int status, string type, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypeBase + type);

    public static IResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "See errors for each invalid field.", title: "The request is invalid.",
            type: TypeBase + "validation");

    public static IResult Validation(string field, string error) => Validation(new Dictionary<string, string[]> { [field] = [error] });

    public static IResult NotFound(string what, string id) =>
        Create(StatusCodes.Status404NotFound, "not-found", $"{what} not found.", $"No {what.ToLowerInvariant()} '{id}' exists.");
}
