using Dapper;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// A test of a building block on a scratch table of its own, created before each test and dropped after it (the table
/// belongs to no module).
/// </summary>
public abstract class ScratchTableTest : SystemTest
{
    /// <summary>The scratch table's name.</summary>
    protected abstract string Table { get; }

    /// <summary>The scratch table's columns, as in CREATE TABLE.</summary>
    protected abstract string Columns { get; }

    [SetUp]
    public async Task CreateScratchTableAsync()
    {
        await using var connection = await System.OpenAsync();
        await connection.ExecuteAsync($"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} ({Columns})");
    }

    [TearDown]
    public async Task DropScratchTableAsync()
    {
        await using var connection = await System.OpenAsync();
        await connection.ExecuteAsync($"DROP TABLE IF EXISTS {Table}");
    }
}
