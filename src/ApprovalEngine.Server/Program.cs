using ApprovalEngine.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddApprovalEngine();
var app = builder.Build();
await app.UseApprovalEngineAsync();
await app.RunAsync();

/// <summary>Entry point; public so tests can host the server in-process.</summary>
public partial class Program;
