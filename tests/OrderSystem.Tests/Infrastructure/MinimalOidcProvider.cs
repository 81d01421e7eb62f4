using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// An OpenID Connect provider just big enough for the authorization code flow, served by Kestrel in the test process over
/// real HTTP: discovery, a JWKS with one RSA key, an authorize endpoint that signs <see cref="User"/> in at once and sends
/// the browser back with a code, and a token endpoint that checks the client, the redirect and PKCE and answers with an
/// RS256-signed id_token. Served as "localhost", another site than the host's 127.0.0.1, as a real provider is.
/// </summary>
internal sealed class MinimalOidcProvider : IAsyncDisposable
{
    public const string ClientId = "ordersystem-console";
    public const string ClientSecret = "console-test-client-secret";
    private const string KeyId = "test-key-1";

    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> _codes = new();
    private int _tokensIssued;

    private MinimalOidcProvider(WebApplication app, ProviderUser user)
    {
        _app = app;
        User = user;
    }

    /// <summary>Who signs in next: the provider asks nothing.</summary>
    public ProviderUser User { get; set; }

    /// <summary>http://localhost:{port}, the issuer of its tokens.</summary>
    public string Authority { get; private set; } = "";

    /// <summary>How many id_tokens the token endpoint has issued.</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    public static async Task<MinimalOidcProvider> StartAsync(ProviderUser user)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var provider = new MinimalOidcProvider(builder.Build(), user);
        provider.Map();
        await provider._app.StartAsync();
        var port = new Uri(provider._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        provider.Authority = $"http://localhost:{port}";
        return provider;
    }

    private void Map()
    {
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Authority,
            ["authorization_endpoint"] = Authority + "/authorize",
            ["token_endpoint"] = Authority + "/token",
            ["jwks_uri"] = Authority + "/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256 },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        _app.MapGet("/jwks", () =>
        {
            var key = _key.ExportParameters(includePrivateParameters: false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new { kty = "RSA", use = "sig", alg = SecurityAlgorithms.RsaSha256, kid = KeyId,
                        n = Base64UrlEncoder.Encode(key.Modulus), e = Base64UrlEncoder.Encode(key.Exponent) },
                },
            });
        });
        _app.MapGet("/authorize", Authorize);
        _app.MapPost("/token", TokenAsync);
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query;
        if (query["client_id"] != ClientId || query["response_type"] != "code" || query["code_challenge_method"] != "S256"
            || !Uri.TryCreate(query["redirect_uri"], UriKind.Absolute, out var redirect) || !redirect.IsLoopback)
        {
            return Results.BadRequest(new { error = "invalid_request" });
        }
        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        _codes[code] = new Grant(query["redirect_uri"].ToString(), query["nonce"].ToString(), query["code_challenge"].ToString());
        var back = $"{query["redirect_uri"]}?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(query["state"].ToString())}";
        return Results.Redirect(back);
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["grant_type"] != "authorization_code" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret
            || !_codes.TryRemove(form["code"].ToString(), out var grant) || grant.RedirectUri != form["redirect_uri"]
            || grant.CodeChallenge != Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))))
        {
            return Results.BadRequest(new { error = "invalid_grant" });
        }
        var now = DateTime.UtcNow;
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = User.Subject, ["name"] = User.Name, ["groups"] = User.Group, ["nonce"] = grant.Nonce,
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
        Interlocked.Increment(ref _tokensIssued);
        return Results.Json(new
        {
            access_token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)),
            token_type = "Bearer",
            expires_in = 300,
            id_token = idToken,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
    }

    private sealed record Grant(string RedirectUri, string Nonce, string CodeChallenge);
}

/// <summary>The person the provider signs in: subject, display name and the one group it puts in the token.</summary>
internal sealed record ProviderUser(string Subject, string Name, string Group);
