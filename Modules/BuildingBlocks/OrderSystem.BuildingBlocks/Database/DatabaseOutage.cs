using System.Net.Sockets;
using MySqlConnector;

namespace OrderSystem.BuildingBlocks.Database;

/// <summary>
/// Tells a database that cannot serve right now (down, restarting, unreachable, pool exhausted, overloaded) from a
/// bug. An outage is answered with 503 and retried later; anything else stays a 500 that someone must look at.
/// </summary>
public static class DatabaseOutage
{
    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // Connection refused, connect timeout and "All pooled connections are in use" all carry UnableToConnectToHost;
                // IsTransient adds deadlocks, lock wait timeouts and "too many connections".
                case MySqlException { ErrorCode: MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.CommandTimeoutExpired }:
                case MySqlException { IsTransient: true }:
                // The server went away under an open connection: shutdown in progress, connection killed, socket closed mid-packet.
                case MySqlException { ErrorCode: MySqlErrorCode.ServerShutdown or MySqlErrorCode.AbortingConnection or MySqlErrorCode.QueryInterrupted }:
                case MySqlProtocolException:
                case TimeoutException:
                    return true;
                // Transport errors only count when the driver raised them: a client that hangs up mid-body also
                // throws an IOException, and that is the client's problem, not an outage.
                case SocketException or IOException when FromDriver(e):
                    return true;
            }
        }
        return false;
    }

    private static bool FromDriver(Exception e) => e.StackTrace?.Contains("MySqlConnector.", StringComparison.Ordinal) == true;
}
