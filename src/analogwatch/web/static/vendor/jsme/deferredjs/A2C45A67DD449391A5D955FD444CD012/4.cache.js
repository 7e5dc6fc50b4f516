$wnd.jsme.runAsyncCallback4('x(725,614,ln);_.Zd=function(){this.a.Mc&&$1(this.a.Mc);this.a.Mc=new e2(1,this.a)};R(uZ)(4);\n//@ sourceURL=4.js\n')
