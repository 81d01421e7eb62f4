using System.Text.Json;

namespace OrderSystem.ThirdParties.Simulator;

internal static class JsonBody
{
    /// <summary>Web defaults, but a number sent as a string is the wrong type, as it would be at a strict provider.</summary>
    public static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    /// <summary>The whole body as JSON, or a 400 problem when it is not JSON.</summary>
    public static async Task<(JsonDocument? Body, IResult? Problem)> ReadAsync(HttpRequest request)
    {
        try
        {
            return (await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted), null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Invalid("body", "is not valid JSON: " + e.Message));
        }
    }

    /// <summary>The body as <typeparamref name="T"/>, or a 400 problem when it is not JSON or a field has the wrong type.</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request) where T : class
    {
        var (document, problem) = await ReadAsync(request);
        if (document is null)
        {
            return (null, problem);
        }
        using (document)
        {
            try
            {
                return document.RootElement.Deserialize<T>(Strict) is { } body
                    ? (body, null)
                    : (null, Problems.Invalid("body", "must be a JSON object"));
            }
            catch (JsonException e)
            {
                // The message names our own types; the path says enough.
                return (null, Problems.Invalid(e.Path is { Length: > 2 } path ? path[2..] : "body", "has the wrong JSON type"));
            }
        }
    }
}
