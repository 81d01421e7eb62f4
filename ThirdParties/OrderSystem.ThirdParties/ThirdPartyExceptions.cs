using System.Net;

namespace OrderSystem.ThirdParties;

/// <summary>The party did not do it and may later: a 5xx, 408 or 429 after the pipeline's retries.</summary>
public sealed class ThirdPartyUnavailableException(string party, HttpStatusCode status, string detail)
    : Exception($"{party} answered {(int)status}: {detail}")
{
    public string Party { get; } = party;
}

/// <summary>The party refused this request (another 4xx): the message's own fault, never retried by the pipeline.</summary>
public sealed class ThirdPartyRejectedException(string party, HttpStatusCode status, string detail)
    : Exception($"{party} refused the request ({(int)status}): {detail}")
{
    public string Party { get; } = party;

    public HttpStatusCode Status { get; } = status;
}
