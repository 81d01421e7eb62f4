using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;

namespace OrderSystem.Tests.BuildingBlocks;

/// <summary>
/// Request bodies are read through one pooled chunk (finding 40): a body of many chunks comes out whole and in order,
/// and one over the limit is refused, however the chunk is reused between reads.
/// </summary>
public sealed class JsonBodyTests
{
    [Test]
    public async Task A_body_of_many_chunks_is_read_whole_and_in_order()
    {
        var sent = Enumerable.Range(0, JsonBody.MaxBytes - 1).Select(i => (byte)('a' + (i % 26))).ToArray();

        var (body, problem) = await JsonBody.ReadBytesAsync(Request(sent), CancellationToken.None);

        Assert.That(problem, Is.Null);
        Assert.That(body, Is.EqualTo(sent));
    }

    [Test]
    public async Task A_body_over_the_limit_without_a_length_is_refused_while_it_is_read()
    {
        var (body, problem) = await JsonBody.ReadBytesAsync(Request(new byte[JsonBody.MaxBytes + 1]), CancellationToken.None);

        Assert.That(body, Is.Null);
        Assert.That((problem as IStatusCodeHttpResult)?.StatusCode, Is.EqualTo(StatusCodes.Status413PayloadTooLarge));
    }

    /// <summary>No Content-Length, and a stream that hands out at most 1,000 bytes a read, as a slow client's body comes.</summary>
    private static HttpRequest Request(byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.Body = new TrickleStream(body);
        return context.Request;
    }

    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
    }
}
