using System.Collections;

namespace OrderSystem.BuildingBlocks.Observability;

/// <summary>
/// Named values for ILogger.BeginScope: structured loggers (the JSON console) write each as its own field, and the
/// text form reads "OrderId:..., MessageId:..." rather than a type name.
/// </summary>
public sealed class LogScope(params (string Key, object? Value)[] pairs) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _values = [.. pairs.Select(p => KeyValuePair.Create(p.Key, p.Value))];

    public KeyValuePair<string, object?> this[int index] => _values[index];

    public int Count => _values.Length;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(", ", _values.Select(v => $"{v.Key}:{v.Value}"));
}
