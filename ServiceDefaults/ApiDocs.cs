using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;
using OrderSystem.BuildingBlocks.Http;
using Scalar.AspNetCore;

namespace OrderSystem.ServiceDefaults;

internal static class ApiDocs
{
    /// <summary>The OpenAPI document, generated from the endpoints' metadata (.Accepts, .Produces, .ProducesProblem).</summary>
    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            // Every slice names its records Request and Response: prefix the slice so the schemas stay apart.
            options.CreateSchemaReferenceId = type =>
                OpenApiOptions.CreateDefaultSchemaReferenceId(type) is { } id && type.Type.DeclaringType is { } slice
                    ? slice.Name + id
                    : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "OrderSystem API";
                document.Info.Description = "Orders, their payment callback, and what each module did with a paid order. " +
                    "Errors are RFC 9457 application/problem+json with a stable type URI.";
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                foreach (var header in context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredHeader>())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = header.Name,
                        In = ParameterLocation.Header,
                        Required = true,
                        Description = header.Description,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>/openapi/v1.json and a browsable reference at /docs.</summary>
    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", options => options.WithTitle("OrderSystem API"));
        return app;
    }
}
