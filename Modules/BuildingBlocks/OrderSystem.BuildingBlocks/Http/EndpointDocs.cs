using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OrderSystem.BuildingBlocks.Http;

/// <summary>The error answers many endpoints share, declared once so the OpenAPI document shows them everywhere.</summary>
public static class EndpointDocs
{
    /// <summary>A JSON body read through <see cref="JsonBody"/>: its shape, and the 400/413/415 answers it can earn.</summary>
    public static RouteHandlerBuilder AcceptsJson<TRequest>(this RouteHandlerBuilder endpoint) where TRequest : notnull =>
        endpoint.Accepts<TRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    /// <summary>A header the endpoint checks itself (a signature, an API key), so the document lists it.</summary>
    public static TBuilder WithRequiredHeader<TBuilder>(this TBuilder endpoint, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(new RequiredHeader(name, description));

    /// <summary>Every endpoint that touches the database answers 503 while it is unreachable.</summary>
    public static RouteHandlerBuilder ProducesDatabaseProblems(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}

/// <summary>Endpoint metadata that the service defaults' API docs turns into a required header parameter.</summary>
public sealed record RequiredHeader(string Name, string Description);
