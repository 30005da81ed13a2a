# Thin wrapper over the same dotnet commands the README gives, for people who live in PowerShell.
#   ./build.ps1            build
#   ./build.ps1 test       run every test (unit and end-to-end)
#   ./build.ps1 run        serve on http://127.0.0.1:4000 with the embedded defaults
#   ./build.ps1 bench      run the benchmark (Linux, needs wrk)
param([ValidateSet("build", "test", "run", "bench")][string]$Task = "build")
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
switch ($Task) {
    "build" { dotnet build Router.sln }
    "test"  { dotnet test Router.sln }
    "run"   { dotnet run --project src/Router.Host }
    "bench" { bash bench/run }
}
exit $LASTEXITCODE
